from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.models import Applicant


class ApplicantForm(forms.ModelForm[Applicant]):
    """The applicant profile. Identifier checks live in Applicant.clean()."""

    class Meta:
        model = Applicant
        fields = [
            "kind",
            "name",
            "name_en",
            "uscc",
            "id_kind",
            "id_number",
            "city",
            "address",
            "contact_person",
            "phone",
            "email",
            "bank_account_name",
            "bank_name",
            "bank_account_number",
            "cnaps_code",
            "letter_chinese",
        ]
        widgets = {"kind": forms.RadioSelect, "id_kind": forms.RadioSelect, "letter_chinese": forms.RadioSelect}
        help_texts = {
            "name": _("Exactly as on the business licence or identity card, and as registered for the patent."),
            "uscc": _("18 characters, on the business licence. Organisations only."),
            "id_number": _("18 characters. Individuals only."),
            "cnaps_code": _("12 digits; your bank can tell you."),
        }
