"""Form fields for identifiers people copy from documents (USCC, identity number, HK
patent number, bank details): pasted with spaces or in lower case, they are read the
way their validators read them before their length is checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import models

from subsidy import identifiers


class IdentifierField(forms.CharField):
    """Normalises first, limits after: `max_length` is the stored length, checked on the
    normalised value (the error counts those characters), and the input has no
    `maxlength` attribute, which would cut a number pasted with spaces."""

    def __init__(self, *, normalise: Callable[[str], str], max_length: int | None = None, **kwargs: Any) -> None:
        self.normalise = normalise
        self.stored_max_length = max_length
        super().__init__(**kwargs)
        if max_length is not None:
            self.validators.append(identifiers.MaxIdentifierLength(max_length))

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return self.normalise(text) if text else text

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "spellcheck": "false"}


def identifier_formfield(model_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A ModelForm's `formfield_callback`: the model's identifier fields
    (`subsidy.identifiers.IDENTIFIER_INPUT`) become IdentifierFields, the others as usual."""
    normalise = identifiers.IDENTIFIER_INPUT.get(model_field.name)
    if normalise is not None:
        kwargs = {"form_class": IdentifierField, "normalise": normalise, **kwargs}
    return model_field.formfield(**kwargs)
