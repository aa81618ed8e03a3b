"""No list of radio buttons offers Django's "---------" as a choice of its own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms as django_forms

import forms
from forms.applicants import ApplicantForm
from forms.choices import RadioChoicesWithoutBlank
from forms.claims import PatentForm


def every_model_form_with_radio_buttons() -> list[type[django_forms.ModelForm]]:
    found = []
    for module_info in pkgutil.iter_modules(forms.__path__):
        module = importlib.import_module(f"forms.{module_info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, django_forms.ModelForm) and cls.__module__ == module.__name__:
                widgets = getattr(getattr(cls, "Meta", None), "widgets", {}) or {}
                if any(widget is django_forms.RadioSelect for widget in widgets.values()):
                    found.append(cls)
    return found


def test_every_model_form_with_radio_buttons_drops_the_blank_choice():
    found = every_model_form_with_radio_buttons()
    assert ApplicantForm in found and PatentForm in found
    for cls in found:
        assert issubclass(cls, RadioChoicesWithoutBlank), cls


@pytest.mark.parametrize("form_class", [ApplicantForm, PatentForm])
def test_no_radio_button_of_the_rendered_form_is_blank(form_class):
    radios = re.findall(r'<input type="radio"[^>]*>', form_class().as_div())
    assert radios
    assert not [radio for radio in radios if 'value=""' in radio]


@pytest.mark.django_db
def test_a_required_radio_field_still_refuses_nothing_chosen():
    form = ApplicantForm(data={"name": "x"})
    assert not form.is_valid()
    assert "kind" in form.errors
