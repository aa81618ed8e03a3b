"""Every staff and applicant transition of the review workflow, from every state and
by every role: allowed exactly from its source state, by exactly its roles. A wrong
state is refused as InvalidState (whoever asks), a wrong person as NotPermitted."""

import datetime as dt
from decimal import Decimal

import pytest

from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.models import (
    Application,
    ApplicationStatus,
    ChecklistEntry,
    ConflictDeclaration,
    FundingRound,
    InformationRequest,
    Role,
)
from subsidy.rules import RULE_SETS
from subsidy.services import applications as applicant_side
from subsidy.services import reviews
from tests.factories import UserFactory, staff_member, submitted_application, today, update_claim

pytestmark = pytest.mark.django_db

S = ApplicationStatus
STAFF_ROLES = {
    "reviewer": Role.REVIEWER,  # the case's own reviewer (once it has one)
    "other_reviewer": Role.REVIEWER,
    "approver": Role.APPROVER,
    "scheme_admin": Role.SCHEME_ADMIN,
    "finance_officer": Role.FINANCE_OFFICER,
    "auditor": Role.AUDITOR,
}
ROLES = ["applicant", *STAFF_ROLES]

# action: (service call, source states, roles allowed)
ACTIONS = {
    "start_review": (
        lambda app, by: reviews.application_start_review(application=app, by=by),
        {S.SUBMITTED},
        {"reviewer", "other_reviewer"},  # a submitted case has no reviewer yet
    ),
    "request_info": (
        lambda app, by: reviews.application_request_info(
            application=app, by=by, message="Upload the P5 form.", deadline=today() + dt.timedelta(days=7)
        ),
        {S.UNDER_REVIEW},
        {"reviewer"},
    ),
    "resubmit": (
        lambda app, by: applicant_side.application_resubmit(application=app, by=by),
        {S.INFO_REQUESTED},
        {"applicant"},
    ),
    "recommend": (
        lambda app, by: reviews.application_recommend(application=app, by=by, recommendation="reject", reason="r"),
        {S.UNDER_REVIEW},
        {"reviewer"},
    ),
    "return_to_review": (
        lambda app, by: reviews.application_return_to_review(application=app, by=by, comment="look again"),
        {S.AWAITING_DECISION},
        {"approver"},
    ),
    "approve": (
        lambda app, by: reviews.application_approve(application=app, by=by),
        {S.AWAITING_DECISION},
        {"approver"},
    ),
    "reject": (
        lambda app, by: reviews.application_reject(application=app, by=by, reason="not eligible"),
        {S.AWAITING_DECISION},
        {"approver"},
    ),
    "record_objection": (
        lambda app, by: reviews.application_record_objection(application=app, by=by, objection="disputed"),
        {S.APPROVED},
        {"approver", "scheme_admin"},
    ),
    "withdraw": (
        lambda app, by: applicant_side.application_withdraw(application=app, by=by),
        {S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED},
        {"applicant"},
    ),
}


def case_in(status):
    """A submitted claim put straight into `status` with what that state implies,
    and a person for every role (staff cleared of conflicts)."""
    application = submitted_application()
    people = {"applicant": application.created_by}
    for name, role in STAFF_ROLES.items():
        people[name] = staff_member(role)
        ConflictDeclaration.objects.create(application=application, user=people[name], has_conflict=False)
    has_reviewer = status != S.SUBMITTED
    update_claim(
        application,
        status=status,
        reviewer=people["reviewer"] if has_reviewer else None,
        recommendation="approve" if status in {S.AWAITING_DECISION, S.APPROVED} else "",
        recommended_amount=Decimal("4000.00") if status in {S.AWAITING_DECISION, S.APPROVED} else None,
        approved_amount=Decimal("4000.00") if status in {S.APPROVED, S.IN_PAYMENT, S.PAID} else None,
        notice_ends_on=today() + dt.timedelta(days=5) if status == S.APPROVED else None,
        paid_on=today() if status == S.PAID else None,
    )
    if status in {S.APPROVED, S.IN_PAYMENT, S.PAID}:
        # What an approval would have reserved (the database keeps reserved within 0..budget).
        FundingRound.objects.filter(pk=application.funding_round_id).update(reserved_amount=Decimal("4000.00"))
    if status == S.INFO_REQUESTED:
        InformationRequest.objects.create(
            application=application, requested_by=people["reviewer"], message="m", deadline=today() + dt.timedelta(9)
        )
    if has_reviewer:
        ChecklistEntry.objects.bulk_create(
            ChecklistEntry(
                application=application,
                rule_code=code,
                automatic_result=True,
                passed=True,
                recorded_by=people["reviewer"],
            )
            for code in RULE_SETS["hk_standard_patent"].codes
        )
    application.refresh_from_db()
    return application, people


REACHABLE = [s for s in S.values if s != S.DRAFT]
CASES = [
    (action, status, role)
    for action, (_call, sources, allowed) in ACTIONS.items()
    for status in REACHABLE
    # From a wrong state one allowed role suffices; from the source state, every role.
    for role in (ROLES if status in sources else [sorted(allowed)[0]])
]


@pytest.mark.parametrize(("action", "status", "role"), CASES)
def test_transition_matrix(action, status, role):
    call, sources, allowed = ACTIONS[action]
    application, people = case_in(status)
    if status not in sources:
        with pytest.raises(InvalidState):
            call(application, people[role])
    elif role not in allowed:
        with pytest.raises(NotPermitted):
            call(application, people[role])
    else:
        call(application, people[role])
        assert Application.objects.get(pk=application.pk).status != status


def test_a_stranger_account_is_refused_everywhere_it_could_act():
    application, _people = case_in(S.INFO_REQUESTED)
    with pytest.raises(NotPermitted):
        applicant_side.application_resubmit(application=application, by=UserFactory())
