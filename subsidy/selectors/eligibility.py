"""What a claim is worth and whether it may be submitted: exchange rates, the annual cap,
the amount (subsidy.amounts), the policy ceiling across schemes for the patent family,
and the facts the rules read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Max, Q, Sum
from django.utils import timezone

from subsidy.amounts import (
    AMOUNT_METHODS,
    AmountBreakdown,
    AmountTerms,
    CostLine,
    office_amount_from_json,
    official_fees,
    to_cents,
)
from subsidy.models import (
    Applicant,
    Application,
    ApplicationStatus,
    CostItem,
    CostType,
    Currency,
    ExchangeRate,
    FundingRound,
    PatentClaim,
)
from subsidy.models.choices import RESERVED_STATUSES
from subsidy.patent_numbers import Office
from subsidy.rules import ClaimFacts

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


def rate_on(currency: str, day: dt.date, max_age_days: int) -> Decimal | None:
    """The stored rate for a payment date: the latest on or before it, if recent enough."""
    if currency == Currency.CNY:
        return None
    rate = (
        ExchangeRate.objects.filter(
            currency=currency, on_date__lte=day, on_date__gte=day - dt.timedelta(days=max_age_days)
        )
        .order_by("-on_date")
        .values_list("rate_to_cny", flat=True)
        .first()
    )
    return rate


def applicant_committed_amount(
    applicant: Applicant, year: int, *, scheme_id: int, exclude: Application | None = None
) -> Decimal:
    """What the applicant has been granted under one scheme in a calendar year (approved,
    in payment or paid): the annual cap counts per scheme and calendar year of decision."""
    qs = Application.objects.reserved().filter(
        applicant=applicant, decided_at__year=year, funding_round__scheme_id=scheme_id
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.aggregate(total=Sum("approved_amount"))["total"] or Decimal("0.00")


def applicant_cap_left_after(
    application: Application, breakdown: AmountBreakdown, today: dt.date | None = None
) -> Decimal | None:
    """What remains of the applicant's annual cap once this claim's approved amount counts
    against it (approved, in payment or paid, decided this year). None while it does not
    count: then the breakdown's figure, which leaves the claim out to compute its amount,
    is what remains, and counting the claim there too would count it twice."""
    today = today or timezone.localdate()
    if application.status not in RESERVED_STATUSES or application.decided_at is None:
        return None
    if timezone.localtime(application.decided_at).year != today.year:
        return None
    granted = application.approved_amount or Decimal("0.00")
    return max(breakdown.applicant_remaining_cap - granted, Decimal("0.00"))


def cost_label(item: CostItem) -> str:
    kind = str(item.get_cost_type_display())
    return f"{kind} ({item.description})" if item.description else kind


def cost_line(item: CostItem, funding_round: FundingRound) -> CostLine:
    """One cost as the amount counts it, with the stored exchange rate for its payment date."""
    return CostLine(
        cost_type=item.cost_type,
        amount=item.amount,
        currency=item.currency,
        paid_on=item.paid_on,
        rate_to_cny=rate_on(item.currency, item.paid_on, funding_round.exchange_rate_max_age_days),
        label=cost_label(item),
        description=item.description,
    )


def application_amount(application: Application, today: dt.date | None = None) -> AmountBreakdown:
    today = today or timezone.localdate()
    r = application.funding_round
    items: list[CostItem] = list(application.cost_items.all())
    costs = [cost_line(item, r) for item in items]
    committed = applicant_committed_amount(
        application.applicant, today.year, scheme_id=r.scheme_id, exclude=application
    )
    terms = AmountTerms(
        costs=costs,
        eligible_cost_types=list(r.eligible_cost_types),
        rate=r.reimbursement_rate,
        per_patent_cap=r.per_patent_cap,
        applicant_remaining_cap=r.per_applicant_annual_cap - committed,
        office=application.patent.office if application.patent is not None else Office.HK.value,
        amounts_by_office=round_amounts_by_office(r),
        ceiling_left=ceiling.left if (ceiling := family_ceiling(application, costs)) is not None else None,
    )
    return AMOUNT_METHODS[r.scheme.amount_method](terms)


@dataclass(frozen=True)
class FamilyCeiling:
    """The policy ceiling (CNIPA 国知发保字(2021)1号) as it stands for one claim: all
    public support for the patent family may not exceed the claim's scheme's share of
    the official fees paid to obtain the family's patents."""

    share: Decimal
    # The official fees of each patent of the family, counted once: the most any live
    # claim for that patent lists (two schemes funding one HK patent list the same fees).
    official_fees: Decimal
    # Support recorded in this system: approved, in payment or paid under any scheme,
    # this claim aside (withdrawn, rejected and objected claims release theirs).
    recorded_support: Decimal
    # Support from outside this system, as applicants declare it: the largest declaration
    # among the family's live claims (one grant declared on two claims counts once).
    declared_support: Decimal

    @property
    def limit(self) -> Decimal:
        return to_cents(self.share * self.official_fees)

    @property
    def left(self) -> Decimal:
        return max(self.limit - self.recorded_support - self.declared_support, Decimal("0.00"))


# Claims whose costs no longer describe the family: never filed, or ended without support.
NOT_LIVE = [ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED]


def family_ceiling(application: Application, costs: Sequence[CostLine] | None = None) -> FamilyCeiling | None:
    """The ceiling for the claim's patent family under the claim's scheme, or None when
    the scheme sets no ceiling or the claim has no patent yet. `costs`: the claim's own
    cost lines when the caller has them. Three queries, none for a scheme without one."""
    share = application.funding_round.scheme.ceiling_share
    patent = application.patent
    if share is None or patent is None:
        return None
    if costs is None:
        costs = [cost_line(item, application.funding_round) for item in application.cost_items.all()]
    family = (
        Application.objects.filter(patent__family_id=patent.family_id)
        if patent.family_id is not None
        else Application.objects.filter(pk=application.pk)
    )
    others = family.exclude(pk=application.pk)
    fees_by_patent = {patent.key: official_fees(costs)}
    items = (
        CostItem.objects.filter(application__in=others.exclude(status__in=NOT_LIVE), cost_type=CostType.OFFICIAL_FEE)
        .select_related("application__funding_round", "application__patent")
        .order_by("application_id", "id")
    )
    by_claim: dict[int, list[CostItem]] = {}
    for item in items:
        by_claim.setdefault(item.application_id, []).append(item)
    for claim_items in by_claim.values():
        claim = claim_items[0].application
        fees = official_fees(cost_line(item, claim.funding_round) for item in claim_items)
        key = claim.patent.key if claim.patent is not None else ""
        fees_by_patent[key] = max(fees_by_patent.get(key, Decimal("0.00")), fees)
    recorded = others.filter(status__in=RESERVED_STATUSES).aggregate(total=Sum("approved_amount"))["total"]
    declared = family.filter(Q(pk=application.pk) | ~Q(status__in=NOT_LIVE)).aggregate(
        most=Max("other_public_support")
    )["most"]
    return FamilyCeiling(
        share=share,
        official_fees=sum(fees_by_patent.values(), start=Decimal("0.00")),
        recorded_support=recorded or Decimal("0.00"),
        declared_support=max(declared or Decimal("0.00"), application.other_public_support),
    )


def round_amounts_by_office(funding_round: FundingRound) -> dict[str, Decimal]:
    """The round's fixed amounts as Decimals; a malformed entry (FundingRound.clean refuses
    them) counts as no amount for its office."""
    stored = funding_round.amounts_by_office if isinstance(funding_round.amounts_by_office, dict) else {}
    parsed = {str(office): office_amount_from_json(value) for office, value in stored.items()}
    return {office: amount for office, amount in parsed.items() if amount is not None}


def patent_claimed_elsewhere(patent_key: str, application: Application | None = None, *, scheme_id: int) -> bool:
    """A live claim for the patent under the same scheme (each scheme funds it once)."""
    qs = PatentClaim.objects.filter(scheme_id=scheme_id, patent_key=patent_key, released_at__isnull=True)
    if application is not None:
        qs = qs.exclude(application=application)
    return qs.exists()


def claim_facts(application: Application, today: dt.date | None = None) -> ClaimFacts:
    today = today or timezone.localdate()
    patent = application.patent
    return ClaimFacts(
        today=today,
        funding_round=application.funding_round,
        applicant=application.applicant,
        patent=patent,
        proprietors=patent.proprietor_names if patent else [],
        document_types={d.doc_type for d in application.documents.all()},
        declarations_complete=application.declarations_complete,
        patent_claimed_elsewhere=bool(
            patent and patent_claimed_elsewhere(patent.key, application, scheme_id=application.funding_round.scheme_id)
        ),
        amount=application_amount(application, today),
    )
