"""Claims as people may see them: their own, the staff lists and case page, timelines,
the public notice, open rounds and letters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from subsidy.models import (
    Applicant,
    Application,
    ApplicationStatus,
    AuditEntry,
    CostItem,
    FundingRound,
    InformationRequest,
    Letter,
    LetterStatus,
    Scheme,
)
from subsidy.models.applications import overdue_condition
from subsidy.permissions import in_schemes_served_by, user_is_staff_member

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
