"""Read-side queries: well-joined querysets and the facts the rules need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, DecimalField, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
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
    ApplicantChange,
    ApplicantChangeStatus,
    Application,
    ApplicationStatus,
    AuditEntry,
    BankReturn,
    Batch,
    BatchExport,
    BatchLine,
    BatchStatus,
    CostItem,
    CostType,
    Currency,
    ExchangeRate,
    FundingRound,
    IdentityClaim,
    IdentityClaimStatus,
    InformationRequest,
    Letter,
    LetterKind,
    LetterStatus,
    PatentClaim,
    Scheme,
)
from subsidy.models.applicants import BANK_FIELDS
from subsidy.models.applications import overdue_condition
from subsidy.models.choices import RESERVED_STATUSES, STAFF_ROLES
from subsidy.patent_numbers import Office
from subsidy.permissions import in_schemes_served_by, schemes_served_by, user_is_staff_member
from subsidy.rules import ClaimFacts

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


def applicants_for_user(user: AnyUser) -> QuerySet[Applicant]:
    return Applicant.objects.accessible_by(user).order_by("name", "id")


def applications_for_user(user: AnyUser) -> QuerySet[Application]:
    """'My applications': everything the user may act for, newest first."""
    return (
        Application.objects.accessible_by(user)
        .select_related("applicant", "patent", "funding_round__scheme")
        .order_by("-created_at", "-id")
    )


def applications_visible_to(user: AnyUser) -> QuerySet[Application]:
    """Every claim the user may read: their own (drafts included) and, for scheme
    staff, every submitted claim of the schemes they work on, as on the staff pages.
    The API lists from here."""
    own = Q(pk__in=Application.objects.accessible_by(user).values("pk"))
    if user_is_staff_member(user):
        own |= ~Q(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN]) & in_schemes_served_by(user)
    return Application.objects.filter(own).select_related("applicant", "patent", "funding_round__scheme")


def application_for_user(user: AnyUser, pk: int) -> Application:
    """One claim with everything its pages show; raises DoesNotExist for others' claims."""
    return applications_for_user(user).prefetch_related("cost_items", "documents", "patent__proprietors").get(pk=pk)


STAFF_LIST_FIELDS = (
    "reference",
    "status",
    "submitted_at",
    "requested_amount",
    "applicant__name",
    "applicant__city",
    "patent__number",
    "funding_round__name",
    "funding_round__name_en",
    "funding_round__review_sla_days",
    "funding_round__scheme__name",
    "funding_round__scheme__name_en",
    "reviewer__email",
)


def staff_application_list(
    *,
    served_by: Any = None,
    status: str = "",
    scheme: Scheme | int | None = None,
    funding_round: FundingRound | int | None = None,
    city: str = "",
    reviewer: Any = None,
    overdue_at: dt.datetime | None = None,
    ordering: tuple[str, ...] = ("-submitted_at", "-id"),
) -> QuerySet[Application]:
    """The submitted claims of the schemes `served_by` works on, filtered; one query
    whatever the page size."""
    qs = (
        Application.objects.submitted()
        .served_by(served_by)
        .select_related("applicant", "patent", "funding_round__scheme", "reviewer")
        # Only what the list shows: a page of 50 rows stays cheap to load.
        .only(*STAFF_LIST_FIELDS)
    )
    condition = application_filter(
        status=status,
        scheme=scheme,
        funding_round=funding_round,
        city=city,
        reviewer=reviewer,
        overdue_at=overdue_at,
    )
    return qs.filter(condition).order_by(*ordering)


def application_filter(
    *,
    prefix: str = "",
    city_field: str = "applicant__city",
    status: str = "",
    scheme: Scheme | int | None = None,
    funding_round: FundingRound | int | None = None,
    city: str = "",
    reviewer: Any = None,
    overdue_at: dt.datetime | None = None,
) -> Q:
    """The staff filters as one condition, on claims or on rows that reach a claim
    through `prefix` (e.g. a flow task's process), or that carry its columns (the
    queue's entries, whose copy of the applicant's city is `city_field`)."""
    p = f"{prefix}__" if prefix else ""
    condition = Q()
    if status:
        condition &= Q(**{f"{p}status": status})
    if scheme is not None:
        condition &= Q(**{f"{p}funding_round__scheme": scheme})
    if funding_round is not None:
        condition &= Q(**{f"{p}funding_round": funding_round})
    if city:
        condition &= Q(**{f"{p}{city_field}": city})
    if reviewer is not None:
        condition &= Q(**{f"{p}reviewer": reviewer})
    if overdue_at is not None:
        condition &= overdue_condition(overdue_at, prefix=p)
    return condition


def staff_application_detail(pk: int, *, served_by: Any = None) -> Application:
    """A submitted claim of a scheme `served_by` works on (DoesNotExist for any other)."""
    return (
        Application.objects.submitted()
        .served_by(served_by)
        .select_related("applicant", "patent", "funding_round__scheme", "created_by")
        .prefetch_related("cost_items", "documents", "patent__proprietors")
        .get(pk=pk)
    )


def open_information_request(application: Application) -> InformationRequest | None:
    return application.information_requests.filter(answered_at__isnull=True, lapsed_at__isnull=True).first()


def application_history(application: Application) -> QuerySet[AuditEntry]:
    """The whole timeline, for staff."""
    return AuditEntry.objects.for_object(application).order_by("at", "id")


# What the applicant sees of the timeline: these steps, and the comments of only
# the ones written for the applicant or by them (the information request, rejection
# reasons, their own reply and withdrawal note). Reviewers' notes, conflict
# declarations and approvers' comments stay internal.
APPLICANT_TIMELINE_ACTIONS = {
    "submit",
    "schedule_payment",
    "confirm_paid",
    "payment_failed",
    "withdraw",
    "start_review",
    "request_info",
    "resubmit",
    "lapse",
    "approve",
    "reject",
    "reopen",
    "letter_issued",
    "letter_revoked",
}
APPLICANT_VISIBLE_COMMENTS = {"withdraw", "request_info", "resubmit", "lapse", "reject", "payment_failed"}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    comment: str


def applicant_timeline(application: Application) -> list[TimelineEntry]:
    entries = application_history(application).filter(transition__in=APPLICANT_TIMELINE_ACTIONS)
    return [
        TimelineEntry(
            at=e.at, action=e.transition, comment=e.comment if e.transition in APPLICANT_VISIBLE_COMMENTS else ""
        )
        for e in entries
    ]


def overdue_applications(now: dt.datetime) -> QuerySet[Application]:
    return (
        Application.objects.overdue(now)
        .select_related("applicant", "funding_round", "reviewer")
        .order_by("submitted_at", "id")
    )


def public_notice_list(today: dt.date | None = None) -> QuerySet[Application]:
    """The public notice page: scheme, round, applicant name, HK patent number and amount,
    nothing else."""
    return (
        Application.objects.in_public_notice(today or timezone.localdate())
        .select_related("applicant", "patent", "funding_round__scheme")
        .only(
            "status",  # the FSM mixin reads it on load
            "approved_amount",
            "notice_ends_on",
            "decided_at",
            "funding_round__name",
            "funding_round__name_en",
            "funding_round__scheme__name",
            "funding_round__scheme__name_en",
            "applicant__name",
            "patent__number",
        )
        .order_by("funding_round__scheme__code", "funding_round__name", "decided_at", "id")
    )


def open_rounds(today: dt.date | None = None) -> QuerySet[FundingRound]:
    """The rounds open for claims, each with its scheme (the applicant chooses among them)."""
    return FundingRound.objects.open_on(today or timezone.localdate()).select_related("scheme")


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


def application_with_details(pk: int) -> Application:
    return (
        Application.objects.select_related("applicant", "patent", "funding_round__scheme")
        .prefetch_related(
            Prefetch("cost_items", queryset=CostItem.objects.order_by("paid_on", "id")),
            "documents",
            "patent__proprietors",
        )
        .get(pk=pk)
    )


def letters_for_user(user: AnyUser, *, application_pk: int) -> QuerySet[Letter]:
    """Letters of one of the user's own claims that exist as files (issued, superseded or revoked)."""
    return (
        Letter.objects.filter(application__in=Application.objects.accessible_by(user), application_id=application_pk)
        .exclude(file="")
        .order_by("-issued_at", "-id")
    )


def verifiable_letters() -> QuerySet[Letter]:
    """Letters that were issued (in force or not): a pending one has no digest yet."""
    return Letter.objects.exclude(status=LetterStatus.PENDING).select_related("superseded_by")


# --------------------------------------------------------------------------
# Disbursement
# --------------------------------------------------------------------------


def letter_reference_for(application: Application) -> str:
    """The reference of the approval letter in force, snapshot on the batch line
    ("" while it is still being generated)."""
    reference = (
        Letter.objects.filter(application=application, kind=LetterKind.APPROVAL, status=LetterStatus.ISSUED)
        .values_list("reference", flat=True)
        .first()
    )
    return reference or ""


def applicant_changes(*, open_only: bool) -> QuerySet[ApplicantChange]:
    """Changes of applicant details for staff to verify, oldest first (those open)."""
    changes = ApplicantChange.objects.select_related("applicant", "requested_by", "checked_by", "decided_by")
    if open_only:
        return changes.open().order_by("requested_at", "id")
    return changes.order_by("-requested_at", "-id")


def open_bank_changes_query() -> QuerySet[Any]:
    """Applicant ids with a change of bank details waiting for verification."""
    changes = ApplicantChange.objects.open()
    bank = Q(pk__in=[])
    for name in BANK_FIELDS:
        bank |= Q(proposed__has_key=name)
    return changes.filter(bank).values("applicant_id")


def open_bank_changes(*, applicant_ids: set[int]) -> list[int]:
    return list(open_bank_changes_query().filter(applicant_id__in=applicant_ids).values_list("applicant_id", flat=True))


def batch_candidates(
    *,
    today: dt.date,
    served_by: Any = None,
    scheme: Scheme | None = None,
    funding_round: FundingRound | None = None,
    city: str = "",
    approved_from: dt.date | None = None,
    approved_to: dt.date | None = None,
) -> QuerySet[Application]:
    """Approved claims that may go into a new batch: public notice over, bank details
    given, not held by a live line of another batch, and of a scheme `served_by` works on."""
    issued_letter = Letter.objects.filter(
        application=OuterRef("pk"), kind=LetterKind.APPROVAL, status=LetterStatus.ISSUED
    )
    qs = (
        Application.objects.payable(today)
        .served_by(served_by)
        .exclude(payee_account_number="")
        .exclude(applicant_id__in=open_bank_changes_query())
        .exclude(pk__in=BatchLine.objects.live().values("application_id"))
        .filter(Exists(issued_letter))
    )
    if scheme is not None:
        qs = qs.filter(funding_round__scheme=scheme)
    if funding_round is not None:
        qs = qs.filter(funding_round=funding_round)
    if city:
        qs = qs.filter(applicant__city=city)
    if approved_from is not None:
        qs = qs.filter(decided_at__date__gte=approved_from)
    if approved_to is not None:
        qs = qs.filter(decided_at__date__lte=approved_to)
    return qs.order_by("reference")


def candidates_summary(candidates: QuerySet[Application]) -> tuple[int, Decimal]:
    """Count and total of a selection, in one query."""
    totals = candidates.order_by().aggregate(n=Count("pk"), total=Sum("approved_amount"))
    return int(totals["n"]), totals["total"] or Decimal("0.00")


def batches_served_by(user: Any) -> QuerySet[Batch]:
    """The batches a staff account may see and act on: those paying no claim of a scheme
    they do not work on (every batch for an account not limited to some schemes)."""
    served = schemes_served_by(user)
    if served is None:
        return Batch.objects.all()
    outside = BatchLine.objects.filter(batch=OuterRef("pk")).exclude(application__funding_round__scheme_id__in=served)
    return Batch.objects.filter(~Exists(outside))


def batch_list(served_by: Any = None) -> QuerySet[Batch]:
    batches = batches_served_by(served_by)
    return batches.select_related("created_by", "submitted_by", "released_by").order_by("-created_at", "-id")


# Batches that someone still has to act on: the staff home counts them.
BATCHES_IN_PROGRESS = [BatchStatus.DRAFT, BatchStatus.SUBMITTED, BatchStatus.RELEASED, BatchStatus.EXPORTED]


def batch_status_counts(served_by: Any = None) -> dict[str, int]:
    """How many batches wait in each status before they are reconciled or cancelled: one query."""
    counted = (
        batches_served_by(served_by)
        .filter(status__in=BATCHES_IN_PROGRESS)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {str(status): 0 for status in BATCHES_IN_PROGRESS} | dict(counted)


def batches_awaiting_release(limit: int = 20, served_by: Any = None) -> QuerySet[Batch]:
    """Submitted batches, first submitted first: what the finance approvers release."""
    submitted = batches_served_by(served_by).filter(status=BatchStatus.SUBMITTED).select_related("submitted_by")
    return submitted.order_by("submitted_at", "id")[:limit]


def applicant_change_counts(user: AnyUser) -> dict[str, int]:
    """Changes of applicant details waiting for a first check, and checked ones waiting
    for a confirmation that `user` may give (not their own check): one query."""
    return ApplicantChange.objects.open().aggregate(
        to_check=Count("pk", filter=Q(status=ApplicantChangeStatus.PENDING)),
        to_confirm=Count("pk", filter=Q(status=ApplicantChangeStatus.CHECKED) & ~Q(checked_by=user.pk)),
    )


def identity_claims_pending_count() -> int:
    return IdentityClaim.objects.filter(status=IdentityClaimStatus.PENDING).count()


def batch_detail(pk: int, served_by: Any = None) -> Batch:
    return batch_list(served_by).get(pk=pk)


def batch_lines(batch: Batch) -> QuerySet[BatchLine]:
    return BatchLine.objects.filter(batch=batch).select_related("application__applicant").order_by("sequence")


def batch_exports(batch: Batch) -> QuerySet[BatchExport]:
    return BatchExport.objects.filter(batch=batch).select_related("exported_by").order_by("-exported_at", "-id")


def batch_bank_returns(batch: Batch) -> QuerySet[BankReturn]:
    return BankReturn.objects.filter(batch=batch).select_related("imported_by").order_by("-imported_at", "-id")


def batch_history(batch: Batch) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.for_object(batch).order_by("at", "id")


def batch_line_counts(batch: Batch) -> dict[str, int]:
    return dict(BatchLine.objects.filter(batch=batch).values_list("status").annotate(n=Count("pk")).order_by("status"))


@dataclass(frozen=True)
class RoundBudget:
    funding_round: FundingRound
    budget: Decimal
    reserved: Decimal
    awaiting_payment: Decimal
    in_payment: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.reserved

    @property
    def reconciles(self) -> bool:
        """The round's reservation counter equals the sum over its claims' statuses."""
        return self.reserved == self.awaiting_payment + self.in_payment + self.paid


def _status_sum(status: str) -> Any:
    return Coalesce(
        Sum("applications__approved_amount", filter=Q(applications__status=status)),
        Value(Decimal("0.00")),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def round_budgets(served_by: Any = None) -> list[RoundBudget]:
    """Per funding round of the schemes `served_by` works on: budget, reserved by
    approvals, and how much of that is waiting, in payment and paid. One query, so the
    figures come from one consistent snapshot; they change only inside the transactions
    that move claims between these states."""
    rounds = (
        FundingRound.objects.filter(in_schemes_served_by(served_by, "scheme"))
        .select_related("scheme")
        .annotate(
            awaiting=_status_sum(ApplicationStatus.APPROVED),
            paying=_status_sum(ApplicationStatus.IN_PAYMENT),
            settled=_status_sum(ApplicationStatus.PAID),
        )
        .order_by("-opens_on", "id")
    )
    return [
        RoundBudget(
            funding_round=r,
            budget=r.budget,
            reserved=r.reserved_amount,
            awaiting_payment=r.awaiting,  # type: ignore[attr-defined]
            in_payment=r.paying,  # type: ignore[attr-defined]
            paid=r.settled,  # type: ignore[attr-defined]
        )
        for r in rounds
    ]


def letters_needing_attention(served_by: Any = None) -> QuerySet[Letter]:
    stuck = Letter.objects.stuck().filter(in_schemes_served_by(served_by, "application__funding_round__scheme"))
    return stuck.defer("content").order_by("requested_at", "id")


def staff_accounts() -> QuerySet[Any]:
    """Everyone with a staff role, by email, each with `role_groups` (their groups, by
    name) and `two_factor` (an authenticator app is enrolled): the staff accounts page."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff_groups = [role.value for role in STAFF_ROLES]
    return (
        get_user_model()
        .objects.filter(pk__in=Group.objects.filter(name__in=staff_groups).values("user"))
        .annotate(two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name"), to_attr="role_groups"))
        .order_by("email", "pk")
    )
