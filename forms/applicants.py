from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.models import Applicant
from subsidy.models.applicants import APPLICANT_EDITABLE_FIELDS


class ApplicantForm(forms.ModelForm[Applicant]):
    """The applicant profile. Identifier checks live in Applicant.clean()."""

    class Meta:
        model = Applicant
        fields = list(APPLICANT_EDITABLE_FIELDS)
        widgets = {"kind": forms.RadioSelect, "id_kind": forms.RadioSelect, "letter_chinese": forms.RadioSelect}
        help_texts = {
            "name": _("Exactly as on the business licence or identity card, and as registered for the patent."),
            "uscc": _("18 characters, on the business licence. Organisations only."),
            "id_number": _("18 characters. Individuals only."),
            "cnaps_code": _("12 digits; your bank can tell you."),
        }
