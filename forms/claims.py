from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from forms.choices import RadioChoicesWithoutBlank
from forms.fields import identifier_formfield
from subsidy.models import Applicant, Application, CostItem, DocumentType, FundingRound, Patent, PatentKind
from subsidy.patent_numbers import PATENT_NUMBER_EXAMPLES, Office
from subsidy.services.applications import REPLY_MAX_LENGTH


class RoundOfSchemeField(forms.ModelChoiceField):
    """A round named with its scheme: the applicant chooses what the claim is for."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.scheme.display_name}: {obj.display_name}"


class NewClaimForm(forms.Form):
    applicant = forms.ModelChoiceField(queryset=Applicant.objects.none(), label=_("Applicant"), empty_label=None)
    funding_round = RoundOfSchemeField(
        queryset=FundingRound.objects.none(),
        label=_("Scheme and funding round"),
        empty_label=None,
        help_text=_("Only schemes with a round open for claims today are listed."),
    )

    def __init__(self, *args: Any, applicants: Any, rounds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants  # type: ignore[attr-defined]
        self.fields["funding_round"].queryset = rounds  # type: ignore[attr-defined]


class PatentForm(RadioChoicesWithoutBlank, forms.ModelForm[Patent]):
    """The patent step: what the scheme's offices need. A scheme of HK patents asks for
    the route (and a route R patent's designated application); a scheme of patents
    granted elsewhere asks for the office and the priority application, which ties the
    patent to its family for the policy ceiling."""

    proprietors = forms.CharField(
        label=_("Registered proprietors"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, in the order of the Hong Kong register. The first must be the applicant."),
    )

    HK_ONLY = ("kind", "route", "designated_office", "designated_application_number")
    ELSEWHERE_ONLY = ("office", "priority_office", "priority_number")

    class Meta:
        model = Patent
        formfield_callback = identifier_formfield
        fields = [
            "office",
            "number",
            "kind",
            "route",
            "designated_office",
            "designated_application_number",
            "priority_office",
            "priority_number",
            "title_zh",
            "title_en",
            "grant_date",
        ]
        widgets = {
            "grant_date": forms.DateInput(attrs={"type": "date"}),
            "route": forms.RadioSelect,
            "kind": forms.RadioSelect,
            "office": forms.RadioSelect,
            "designated_office": forms.RadioSelect,
        }
        help_texts = {
            "designated_application_number": _(
                "Route R only. For CNIPA e.g. 202310123456.7; only invention applications qualify."
            ),
            "priority_number": _(
                "The first filing this patent claims priority from, e.g. CN 202310123456.6 or PCT/CN2023/123456. "
                "It shows that patents of other offices are the same invention."
            ),
        }

    def __init__(self, *args: Any, offices: Sequence[str] = ("HK",), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["proprietors"] = "\n".join(self.instance.proprietor_names)
        hk_only = list(offices) == [Office.HK]
        if hk_only:
            for name in self.ELSEWHERE_ONLY:
                del self.fields[name]
            self.fields["number"].label = _("HK patent number")
            self.fields["number"].help_text = _("For example HK1234567 or HK30012345.")
            self.fields["grant_date"].label = _("HK grant date")
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                c for c in PatentKind.choices if c[0] != PatentKind.INVENTION
            ]
            self.fields["route"].required = True
            return
        if Office.HK not in offices:
            for name in self.HK_ONLY:
                del self.fields[name]
            if self.instance.pk is None:
                # What the model checks when the office typed is refused: never an HK
                # patent's route, which this form does not ask.
                self.instance.office = offices[0]
            self.fields["proprietors"].help_text = _(
                "One per line, in the order of the register. The first must be the applicant."
            )
        self.fields["office"].choices = [c for c in Office.choices if c[0] in offices]  # type: ignore[attr-defined]
        self.fields["number"].help_text = _("As on the grant certificate, e.g. %(examples)s.") % {
            "examples": ", ".join(PATENT_NUMBER_EXAMPLES[code] for code in offices if code in PATENT_NUMBER_EXAMPLES)
        }

    def patent_fields(self) -> dict[str, Any]:
        """What the service stores: every field this form asked for but the proprietors."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "proprietors"}

    def proprietor_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["proprietors"].splitlines() if line.strip()]


COST_FIELDS = ["cost_type", "description", "amount", "currency", "paid_on", "receipt_number"]


class CostItemForm(forms.ModelForm[CostItem]):
    class Meta:
        model = CostItem
        fields = COST_FIELDS
        widgets = {
            "paid_on": forms.DateInput(attrs={"type": "date"}),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        }


CostItemFormSet = forms.modelformset_factory(CostItem, form=CostItemForm, extra=1, can_delete=True)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG or JPEG, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class DeclarationsForm(forms.ModelForm[Application]):
    """The declarations; under a scheme with the policy ceiling, also the public support
    received from outside this system, which counts against it."""

    class Meta:
        model = Application
        fields = [
            "other_public_support",
            "declare_true_and_complete",
            "declare_no_double_funding",
            "declare_consent_to_checks",
        ]
        widgets = {
            "other_public_support": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})
        }

    def __init__(self, *args: Any, asks_other_support: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not asks_other_support:
            del self.fields["other_public_support"]


class ResubmitForm(forms.Form):
    """The applicant's answer to an information request, sent with the resubmitted claim."""

    reply = forms.CharField(
        label=_("Your answer to the reviewer (optional)"),
        required=False,
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what you changed, or answer the reviewer's questions. The reviewer reads it with the claim."),
    )


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmailLanguageForm(forms.Form):
    """The language of the emails about one claim (by default the one it was submitted in)."""

    language = forms.ChoiceField(label=_("Emails about this claim in"), choices=settings.LANGUAGES)
