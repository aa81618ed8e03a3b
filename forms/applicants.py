from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from forms.choices import RadioChoicesWithoutBlank
from forms.fields import IdentifierField, identifier_formfield
from subsidy import identifiers
from subsidy.models import Applicant
from subsidy.models.applicants import APPLICANT_EDITABLE_FIELDS


class ApplicantForm(RadioChoicesWithoutBlank, forms.ModelForm[Applicant]):
    """The applicant profile. Identifier checks live in Applicant.clean()."""

    class Meta:
        model = Applicant
        fields = list(APPLICANT_EDITABLE_FIELDS)
        formfield_callback = identifier_formfield
        widgets = {"kind": forms.RadioSelect, "id_kind": forms.RadioSelect, "letter_chinese": forms.RadioSelect}
        help_texts = {
            "name": _("Exactly as on the business licence or identity card, and as registered for the patent."),
            "uscc": _("18 characters, on the business licence. Organisations only."),
            "id_number": _("18 characters. Individuals only."),
            "cnaps_code": _("12 digits; your bank can tell you."),
        }

    def _post_clean(self) -> None:
        # A field this form refused (a number too long) reaches Applicant.clean() empty,
        # which would add "enter the number" beside the real error: keep the form's own.
        refused = {name: len(errors) for name, errors in self.errors.items()}
        super()._post_clean()  # type: ignore[misc]  # ModelForm's, behind the mixin
        for name, count in refused.items():
            del self.errors[name][count:]


class IdentityClaimForm(forms.Form):
    """Someone else registered the applicant's USCC or ID number first: the real holder
    proves it is theirs (subsidy.services.identity_claims)."""

    number = IdentifierField(
        normalise=identifiers.compact_code,
        label=_("Unified Social Credit Code or identity document number"),
        max_length=18,
        help_text=_("As on the business licence or identity document."),
    )
    evidence = forms.FileField(
        label=_("Business licence or identity document"),
        help_text=_("PDF, PNG or JPEG, up to 10 MB: a scan or photo that shows the number and the name."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
    note = forms.CharField(
        label=_("Anything staff should know (optional)"),
        required=False,
        max_length=1000,
        help_text=_("For example who you are in the organisation, and a phone number on which staff can call you."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IdentityClaimDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Reasons"),
        max_length=1000,
        help_text=_("How the evidence proves (or does not prove) the claim. The claimant reads a refusal's reasons."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
