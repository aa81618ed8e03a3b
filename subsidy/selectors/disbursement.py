"""Paying approved claims: what may be batched, batches and their lines, files and
returns, the budget per round, held applicant changes and staff accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from subsidy.models import (
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
    FundingRound,
    IdentityClaim,
    IdentityClaimStatus,
    Letter,
    LetterKind,
    LetterStatus,
    Scheme,
)
from subsidy.models.applicants import BANK_FIELDS
from subsidy.models.choices import STAFF_ROLES
from subsidy.permissions import in_schemes_served_by, schemes_served_by

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


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
