from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from subsidy.amounts import FIXED_BY_OFFICE, office_amount_from_json
from subsidy.chinese import shown_in_language
from subsidy.models.choices import CostType
from subsidy.models.schemes import Scheme


def all_cost_types() -> list[str]:
    return list(CostType.values)


def round_name_shown(name: str, name_en: str) -> str:
    """A round's name in the reader's language (FundingRound.display_name; lists that
    read names as plain values call this)."""
    if translation.get_language() == "en" and name_en:
        return name_en
    return shown_in_language(name)


class FundingRoundQuerySet(models.QuerySet["FundingRound"]):
    def open_on(self, day: dt.date) -> FundingRoundQuerySet:
        return self.filter(opens_on__lte=day, closes_on__gte=day).order_by("-opens_on")


class FundingRound(models.Model):
    """A call for claims. Every number a rule uses is a field here, never a constant."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("scheme"))
    name = models.CharField(_("name"), max_length=200, help_text=_("In Simplified Chinese."))
    name_en = models.CharField(
        _("name in English"), max_length=200, blank=True, help_text=_("Shown on English pages; blank: the name.")
    )
    code = models.SlugField(_("code"), max_length=30, unique=True)
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    opens_on = models.DateField(_("open for claims from"))
    closes_on = models.DateField(_("open for claims until"))
    grant_date_from = models.DateField(_("grant date from"))
    grant_date_to = models.DateField(_("grant date until"))
    claim_deadline_months = models.PositiveSmallIntegerField(
        _("claim deadline after grant (months)"), default=12, validators=[MinValueValidator(1)]
    )
    per_patent_cap = models.DecimalField(
        _("cap per patent (CNY)"), max_digits=12, decimal_places=2, default=Decimal("10000.00")
    )
    per_applicant_annual_cap = models.DecimalField(
        _("cap per applicant per year (CNY)"), max_digits=14, decimal_places=2, default=Decimal("500000.00")
    )
    reimbursement_rate = models.DecimalField(
        _("reimbursement rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5000"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of eligible costs that is reimbursed, e.g. 0.5 for 50 %."),
    )
    eligible_cost_types = models.JSONField(_("eligible cost types"), default=all_cost_types)
    amounts_by_office = models.JSONField(
        _("fixed amount per patent office (CNY)"),
        default=dict,
        blank=True,
        help_text=_(
            'For schemes that pay a fixed amount per granted patent, e.g. {"US": "4500.00", "EP": "17000.00"}.'
        ),
    )
    exchange_rate_max_age_days = models.PositiveSmallIntegerField(
        _("exchange rate may be older than the payment date by (days)"), default=7
    )
    notice_period_working_days = models.PositiveSmallIntegerField(
        _("public notice period (working days)"),
        default=5,
        help_text=_("Approved claims are published for this many mainland working days before payment; 0 for none."),
    )
    review_sla_days = models.PositiveSmallIntegerField(
        _("review target (days from submission)"), default=20, validators=[MinValueValidator(1)]
    )
    reserved_amount = models.DecimalField(
        _("reserved by approvals (CNY)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        editable=False,
        help_text=_("Sum of approved amounts not released; kept by the approval services, never edited by hand."),
    )

    objects = FundingRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding round")
        verbose_name_plural = _("funding rounds")
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="round_open_period"),
            models.CheckConstraint(
                condition=models.Q(grant_date_to__gte=models.F("grant_date_from")), name="round_grant_window"
            ),
            models.CheckConstraint(
                condition=models.Q(reimbursement_rate__gte=0, reimbursement_rate__lte=1), name="round_rate_0_1"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0, per_patent_cap__gte=0, per_applicant_annual_cap__gte=0),
                name="round_amounts_not_negative",
            ),
            # The database itself refuses an approval that would overspend the budget.
            models.CheckConstraint(
                condition=models.Q(reserved_amount__gte=0, reserved_amount__lte=models.F("budget")),
                name="round_reserved_within_budget",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The round's name in the reader's language: English pages show the English
        name; Traditional Chinese pages the Chinese name in Traditional characters, as
        the letters do."""
        return round_name_shown(self.name, self.name_en)

    def clean(self) -> None:
        errors: dict[str, str | list[str]] = {}
        unknown = set(self.eligible_cost_types or []) - set(CostType.values)
        if unknown:
            errors["eligible_cost_types"] = _("Unknown cost types: %s") % ", ".join(sorted(unknown))
        # The database refuses it too (round_reserved_within_budget); this says why, on the field.
        if self.budget is not None and self.budget < self.reserved_amount:
            errors["budget"] = _(
                "The budget cannot be lower than the %(reserved)s CNY that approvals have already reserved."
            ) % {"reserved": f"{self.reserved_amount:,.2f}"}
        scheme = self.scheme if self.scheme_id else None
        if scheme is not None and scheme.sunset_on is not None:
            for field in ("opens_on", "closes_on"):
                day = getattr(self, field)
                if day is not None and day > scheme.sunset_on:
                    errors[field] = _("The scheme ends on %(day)s: no round of it may be open after that day.") % {
                        "day": date_format(scheme.sunset_on, "DATE_FORMAT")
                    }
        if scheme is not None and scheme.amount_method == FIXED_BY_OFFICE:
            problems = self.fixed_amount_problems(scheme)
            if problems:
                errors["amounts_by_office"] = problems
        if errors:
            raise ValidationError(errors)

    def fixed_amount_problems(self, scheme: Scheme) -> list[str]:
        """What is wrong with the round's fixed amounts for a scheme that pays them: every
        office of the scheme needs one, and an office it does not fund has none."""
        stored = self.amounts_by_office
        if not isinstance(stored, dict):
            return [str(_('Give each office and its amount, e.g. {"US": "4500.00"}.'))]
        offices = [str(office) for office in scheme.offices or []]
        problems = []
        lacking = [office for office in offices if office_amount_from_json(stored.get(office)) is None]
        if lacking:
            problems.append(
                _("Give a positive amount in CNY, with at most two decimals, for %(offices)s.")
                % {"offices": ", ".join(lacking)}
            )
        foreign = sorted(set(map(str, stored)) - set(offices))
        if foreign:
            problems.append(
                _("The scheme does not fund patents of %(offices)s: remove them.") % {"offices": ", ".join(foreign)}
            )
        return problems

    def is_open_on(self, day: dt.date) -> bool:
        return self.opens_on <= day <= self.closes_on

    @property
    def remaining_budget(self) -> Decimal:
        return self.budget - self.reserved_amount
