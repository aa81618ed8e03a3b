"""Forms of the finance pages. They only collect input: what may be batched, who may
release, what a bank file must contain is decided in subsidy.services.batches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.models import ExportFormat, FundingRound, GuangdongCity, Scheme
from subsidy.permissions import in_schemes_served_by

MAX_RETURN_FILE_BYTES = 50 * 1024 * 1024


class BatchSelectionForm(forms.Form):
    """Which approved claims go into a new batch; every field optional. Schemes and rounds
    are those the person works on."""

    scheme = forms.ModelChoiceField(label=_("Scheme"), required=False, queryset=Scheme.objects.none())
    funding_round = forms.ModelChoiceField(
        label=_("Funding round"), required=False, queryset=FundingRound.objects.none()
    )
    city = forms.ChoiceField(label=_("City"), required=False, choices=[("", _("All")), *GuangdongCity.choices])
    approved_from = forms.DateField(
        label=_("Approved on or after"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    approved_to = forms.DateField(
        label=_("Approved on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, served_by: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(in_schemes_served_by(served_by, "pk"))  # type: ignore[attr-defined]
        self.fields["funding_round"].queryset = (  # type: ignore[attr-defined]
            FundingRound.objects.filter(in_schemes_served_by(served_by, "scheme")).order_by("-opens_on")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("approved_from")
        end: dt.date | None = data.get("approved_to")
        if start and end and start > end:
            self.add_error("approved_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            "scheme": self.cleaned_data.get("scheme"),
            "funding_round": self.cleaned_data.get("funding_round"),
            "city": self.cleaned_data.get("city") or "",
            "approved_from": self.cleaned_data.get("approved_from"),
            "approved_to": self.cleaned_data.get("approved_to"),
        }


class BatchCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BatchWithdrawForm(forms.Form):
    """Withdrawing a released batch: a reason, and for an exported batch the promise that
    its file did not go to the bank (the service refuses without it)."""

    reason = forms.CharField(
        label=_("Reason for withdrawing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    file_not_sent = forms.BooleanField(
        label=_("No bank file of this batch was sent to the bank, and none will be: the copies are deleted."),
        required=False,
    )
    understood = forms.BooleanField(
        label=_("I understand that every unpaid claim of this batch goes back to approved, to be paid in a new batch."),
        required=True,
    )


class ExportForm(forms.Form):
    export_format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)


class BankReturnForm(forms.Form):
    return_file = forms.FileField(
        label=_("Bank return file"),
        help_text=_(
            "ISO 20022 pain.002 status report (XML), or CSV (UTF-8 or GB18030) or XLSX with the columns "
            "application reference, status, bank reference, failure reason, and optionally amount and "
            "payment date (YYYY-MM-DD)."
        ),
    )

    def clean_return_file(self) -> Any:
        upload = self.cleaned_data["return_file"]
        if upload.size > MAX_RETURN_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload
