"""What the two authorisation matrices share: the people and records every role meets,
and the table of expected statuses. The pages' matrix (tests/test_authorisation_matrix.py)
and the API's (tests/subsidy/api/test_authorisation_matrix.py) each add what only
they need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from subsidy.models import AccessRole, ApplicantAccess, Role
from subsidy.services import batches, reviews
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    FundingRoundFactory,
    UserFactory,
    awaiting_decision,
    cleared,
    cleared_approver,
    payable_application,
    staff_member,
    submitted_application,
)

STAFF = ["reviewer", "approver", "finance_officer", "finance_approver", "scheme_admin", "auditor"]
FINANCE_VIEWERS = ["finance_officer", "finance_approver", "scheme_admin", "auditor"]


@dataclass
class World:
    users: dict[str, Any]
    ids: dict[str, Any]


def expectations(roles: list[str], groups: dict[str, list[str]], anonymous: int) -> Callable[..., dict[str, int]]:
    """`expect(default, anonymous=..., **overrides)`: `default` for every signed-in role,
    then the overrides, by group or role, in order."""

    def expect(default: int, anonymous: int = anonymous, **overrides: int) -> dict[str, int]:
        table = dict.fromkeys(roles, default)
        table["anonymous"] = anonymous
        for key, code in overrides.items():
            for role in groups.get(key, [key]):
                table[role] = code
        return table

    return expect


def shared_world(capture_on_commit: Any) -> World:
    """An applicant (`owner`) with an authorised agency (`agent`), another applicant
    (`stranger`), one person per staff role; the owner's draft, a submitted claim the
    reviewer has declared no conflict on, and an approved claim with its letter; a batch
    of one payable claim, and one more payable claim left for a new batch."""
    # Factories are typed as themselves, not as the models they make.
    owner: Any = UserFactory()
    applicant: Any = ApplicantFactory(owner=owner)
    agent: Any = UserFactory(role=Role.AGENT)
    ApplicantAccess.objects.create(user=agent, applicant=applicant, role=AccessRole.AGENT)
    stranger = UserFactory()
    ApplicantFactory(owner=stranger)
    users: dict[str, Any] = {"anonymous": None, "owner": owner, "agent": agent, "stranger": stranger}
    for role in STAFF:
        users[role] = staff_member(Role(role))
    funding_round: Any = FundingRoundFactory()
    draft: Any = ApplicationFactory(created_by=owner, applicant=applicant, funding_round=funding_round)
    submitted: Any = submitted_application(created_by=owner, applicant=applicant, funding_round=funding_round)
    cleared(submitted, users["reviewer"])
    decided, _ = awaiting_decision(created_by=owner, applicant=applicant, funding_round=funding_round)
    with capture_on_commit(execute=True):
        reviews.application_approve(application=decided, by=cleared_approver(decided))
    letter = decided.letters.get()
    payable_application()
    batch = batches.batch_create(by=users["finance_officer"])
    payable_application()  # left for a new batch
    ids = {
        "round": funding_round.pk,
        "applicant": applicant.pk,
        "draft": draft.pk,
        "submitted": submitted.pk,
        "decided": decided.pk,
        "draft_document": draft.documents.first().pk,
        "submitted_document": submitted.documents.first().pk,
        "letter": letter.pk,
        "token": letter.token,
        "batch": batch.pk,
        "line": batch.lines.get().pk,
    }
    return World(users=users, ids=ids)
