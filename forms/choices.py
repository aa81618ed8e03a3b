"""Radio buttons without Django's "---------" choice."""

from __future__ import annotations

from typing import Any

from django import forms


class RadioChoicesWithoutBlank(forms.BaseForm):
    """A model field with choices and no default gets Django's blank "---------" choice,
    which a list of radio buttons shows as an option of its own. Radio buttons need no
    blank option: none is chosen until the person chooses one, and the field's own
    `required` says whether that is allowed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.RadioSelect):
                continue
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = None
            elif isinstance(field, forms.ChoiceField):
                choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
                field.choices = [(value, label) for value, label in choices if value != ""]
