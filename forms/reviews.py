"""Forms of the review and decision task pages. They only collect input: the rules
(reasons required, amount limits, deadlines) live in the services, whose
ValidationErrors are shown at these fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.rules import RULE_TITLES

INFO_REQUEST_DAYS = 14


def _text(label: Any, *, required: bool = False, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=4000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ConflictForm(forms.Form):
    NO = "no"
    YES = "yes"

    has_conflict = forms.ChoiceField(
        label=_("Do you have a conflict of interest with this applicant?"),
        choices=[
            (NO, _("No, I have no conflict of interest with this applicant")),
            (YES, _("Yes, I have a conflict of interest and must not handle this case")),
        ],
        widget=forms.RadioSelect,
    )
    note = _text(
        _("Note"),
        help_text=_("Required if you declare a conflict: say what links you to the applicant."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("has_conflict") == self.YES and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what the conflict of interest is."))
        return data

    @property
    def conflict(self) -> bool:
        return bool(self.cleaned_data["has_conflict"] == self.YES)


class StartReviewForm(forms.Form):
    """No fields: a confirmation."""


class RequestInfoForm(forms.Form):
    message = _text(_("What the applicant must provide"), rows=4)
    deadline = forms.DateField(label=_("Answer by"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=INFO_REQUEST_DAYS)


class RecommendApproveForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=0)
    reason = _text(
        _("Reasons"),
        help_text=_("Required if the amount is lower than the computed one."),
    )


class RecommendRejectForm(forms.Form):
    reason = _text(_("Reasons for rejection"), rows=4)


class ApproveForm(forms.Form):
    comment = _text(_("Comment (optional)"), rows=2)


class ApprovalConfirmForm(forms.Form):
    """The second press of *Approve*: a signed token naming the task and the amount the
    approver was shown. Nothing is approved without it, nor at another amount, nor from
    a confirmation left open for longer than an hour."""

    SALT = "workflows.approval-confirm"
    MAX_AGE = 3600

    confirm = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, task_pk: int, amount: Decimal | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = {"task": task_pk, "amount": str(amount)}

    @classmethod
    def token(cls, *, task_pk: int, amount: Decimal | None) -> str:
        return signing.dumps({"task": task_pk, "amount": str(amount)}, salt=cls.SALT)

    def clean_confirm(self) -> str:
        token = self.cleaned_data["confirm"]
        try:
            signed = signing.loads(token, salt=self.SALT, max_age=self.MAX_AGE)
        except signing.BadSignature as error:  # expired or altered
            raise forms.ValidationError(_("This confirmation has expired. Confirm again.")) from error
        if signed != self.expected:
            raise forms.ValidationError(_("The claim has changed since you were asked. Confirm again."))
        return str(token)


class RejectForm(forms.Form):
    reason = _text(_("Reasons for rejection"), rows=4, help_text=_("The applicant will read these reasons."))


class ReturnToReviewForm(forms.Form):
    comment = _text(_("What the reviewer should look at again"), rows=3)


class ObjectionForm(forms.Form):
    objection = _text(_("The objection, as received"), required=True, rows=4)


class ChecklistForm(forms.Form):
    """One row per eligibility rule: the reviewer's finding (pass/fail) and a note,
    required where the finding differs from the automatic check (the service says so)."""

    FINDINGS = [("pass", _("passes")), ("fail", _("fails"))]

    def __init__(self, *args: Any, codes: Sequence[str], **kwargs: Any) -> None:
        """`codes`: the rules of the claim's rule set (subsidy.rules.rule_set_of), in order."""
        super().__init__(*args, **kwargs)
        self.codes = list(codes)
        for code in self.codes:
            title = RULE_TITLES[code]
            self.fields[f"{code}__finding"] = forms.ChoiceField(
                label=str(title), choices=self.FINDINGS, widget=forms.RadioSelect
            )
            self.fields[f"{code}__note"] = forms.CharField(
                label=_("Note on: %(rule)s") % {"rule": title}, required=False, max_length=2000
            )

    def rows(self) -> list[tuple[str, Any, forms.BoundField, forms.BoundField]]:
        return [(code, RULE_TITLES[code], self[f"{code}__finding"], self[f"{code}__note"]) for code in self.codes]

    @staticmethod
    def findings_of(cleaned_data: dict[str, Any]) -> list[tuple[str, bool, str]]:
        """(rule, passed, note) for every rule of the form, from its cleaned data."""
        codes = [key.removesuffix("__finding") for key in cleaned_data if key.endswith("__finding")]
        return [(code, cleaned_data[f"{code}__finding"] == "pass", cleaned_data[f"{code}__note"]) for code in codes]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} <{obj.email}>" if name else str(obj.email)


class ReassignForm(forms.Form):
    """A scheme administrator gives the case's open task to someone else."""

    to = StaffChoiceField(queryset=None, label=_("Give the task to"), empty_label=None)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates  # type: ignore[attr-defined]
