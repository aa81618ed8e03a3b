from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from forms.reviews import StaffChoiceField
from subsidy.models import ApplicationStatus, FundingRound, GuangdongCity, Role
from subsidy.permissions import in_schemes_served_by

SORTS = {
    "-submitted": ("-submitted_at", "-id"),
    "submitted": ("submitted_at", "id"),
    "reference": ("reference",),
    "applicant": ("applicant__name", "id"),
    "-amount": ("-requested_amount", "-id"),
}


class ApplicationFilterForm(forms.Form):
    """Filters and sort order of the staff lists; every field optional."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + [c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT],
    )
    # Schemes and rounds: choices from one query of the rounds (ApplicationFilterForm.__init__).
    scheme = forms.TypedChoiceField(label=_("Scheme"), required=False, coerce=int, empty_value=None)
    funding_round = forms.TypedChoiceField(label=_("Funding round"), required=False, coerce=int, empty_value=None)
    city = forms.ChoiceField(label=_("City"), required=False, choices=[("", _("All")), *GuangdongCity.choices])
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), required=False, queryset=get_user_model().objects.none())
    overdue = forms.BooleanField(label=_("Only past the review target"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Default order")),
            ("-submitted", _("Newest first")),
            ("submitted", _("Oldest first")),
            ("reference", _("Reference")),
            ("applicant", _("Applicant")),
            ("-amount", _("Largest amount")),
        ],
    )

    def __init__(self, *args: Any, served_by: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rounds = list(
            FundingRound.objects.filter(in_schemes_served_by(served_by, "scheme"))
            .select_related("scheme")
            .order_by("-opens_on", "id")
            .only("name", "name_en", "scheme__code", "scheme__name", "scheme__name_en")
        )
        schemes = sorted({r.scheme.code: r.scheme for r in rounds}.values(), key=lambda scheme: scheme.code)
        self.fields["scheme"].choices = [("", _("All")), *((scheme.pk, scheme.display_name) for scheme in schemes)]  # type: ignore[attr-defined]
        self.fields["funding_round"].choices = [("", _("All")), *((r.pk, r.display_name) for r in rounds)]  # type: ignore[attr-defined]
        self.fields["reviewer"].queryset = (  # type: ignore[attr-defined]
            get_user_model().objects.filter(groups__name=Role.REVIEWER.value).order_by("email").only("username")
        )

    def ordering(self, prefix: str = "") -> tuple[str, ...]:
        sort = self.cleaned_data.get("sort") if self.is_bound and self.is_valid() else ""
        fields = SORTS.get(sort or "-submitted", SORTS["-submitted"])
        if not prefix:
            return fields
        return tuple(f"-{prefix}__{f[1:]}" if f.startswith("-") else f"{prefix}__{f}" for f in fields)

    def filters(self, now: dt.datetime) -> dict[str, Any]:
        """Keyword arguments for subsidy.selectors.application_filter."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "status": data.get("status", ""),
            "scheme": data.get("scheme"),
            "funding_round": data.get("funding_round"),
            "city": data.get("city", ""),
            "reviewer": data.get("reviewer"),
            "overdue_at": now if data.get("overdue") else None,
        }


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_(
            "For example: a new colleague, or a phone lost or replaced; and how you confirmed who asked. "
            "Kept in the audit trail."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HandOverForm(forms.Form):
    """A scheme administrator gives a colleague's reviews to another reviewer
    (workflows.services.staff_cases_hand_over)."""

    to = StaffChoiceField(queryset=None, label=_("Give their reviews to"), empty_label=None)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_("For example: left the office, or on leave until March. Kept in the history of each case."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates  # type: ignore[attr-defined]


class ApplicantChangeDecisionForm(forms.Form):
    """Staff verify (check, confirm) or refuse an applicant's change of identity or bank
    details (subsidy.services.applicant_changes)."""

    comment = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        help_text=_(
            "How you verified it (e.g. the bank's confirmation, the business licence, a call to the number on file); "
            "when refusing, the reason the applicant will read."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
