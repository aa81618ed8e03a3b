"""Putting a domain service's ValidationError onto the form the person filled in."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, at the fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def saved(form: BaseForm, save: Callable[[], object]) -> bool:
    """Run a service on the form's data; its ValidationErrors land on the form's fields."""
    try:
        save()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True
