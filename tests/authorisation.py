"""What the two authorisation matrices share: the people and records every role meets,
and the table of expected statuses. The pages' matrix (tests/test_authorisation_matrix.py)
and the API's (tests/subsidy/api/test_authorisation_matrix.py) each add what only
they need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.files.base import ContentFile

from subsidy.demo_data import TINY_PDF
from subsidy.models import AccessRole, ApplicantAccess, ApplicantChange, Document, DocumentType, Role
from subsidy.services import batches, reviews
from subsidy.services.applicants import applicant_update
from subsidy.services.identity_claims import identity_claim_submit
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    FundingRoundFactory,
    IndividualApplicantFactory,
    UserFactory,
    awaiting_decision,
    cleared,
    cleared_approver,
    payable_application,
    pdf_upload,
    staff_member,
    staff_of_scheme,
    submitted_application,
    top_up_scheme,
)

STAFF = ["reviewer", "approver", "finance_officer", "finance_approver", "scheme_admin", "auditor"]
# A member of staff who holds every staff role but works on another scheme only: wherever
# a role lets staff in, the scheme keeps them out of this scheme's records (as if they did
# not exist: 404), and lists show them none of these records.
ELSEWHERE = "elsewhere"
FINANCE_VIEWERS = ["finance_officer", "finance_approver", "scheme_admin", "auditor"]
# Who may see a full ID number (subsidy.personal_data.may_reveal), so open an identity
# document or a letter to an individual: each opening is audited.
ID_REVEALERS = ["reviewer", "approver", "scheme_admin"]


@dataclass
class World:
    users: dict[str, Any]
    ids: dict[str, Any]


def with_elsewhere(groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """`groups`, with ELSEWHERE in every group of staff and under each staff role's name:
    it holds every role, so whatever a role gets, it gets, unless a row says otherwise."""
    staff = set(STAFF)
    widened = {name: [*members, ELSEWHERE] if set(members) <= staff else members for name, members in groups.items()}
    return {role: [role, ELSEWHERE] for role in STAFF} | widened


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
    (`stranger`), one person per staff role and one of another scheme (ELSEWHERE), with
    a submitted claim of that scheme; the owner's draft, a submitted claim the
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
    top_up = top_up_scheme()
    users[ELSEWHERE] = staff_of_scheme(top_up, *(Role(role) for role in STAFF))
    funding_round: Any = FundingRoundFactory()
    draft: Any = ApplicationFactory(created_by=owner, applicant=applicant, funding_round=funding_round)
    submitted: Any = submitted_application(created_by=owner, applicant=applicant, funding_round=funding_round)
    cleared(submitted, users["reviewer"])
    decided, _ = awaiting_decision(created_by=owner, applicant=applicant, funding_round=funding_round)
    with capture_on_commit(execute=True):
        reviews.application_approve(application=decided, by=cleared_approver(decided))
    letter = decided.letters.get()
    # An identity document on the submitted claim (it shows a full ID number).
    identity = Document(
        application=submitted,
        doc_type=DocumentType.IDENTITY,
        original_name="id-card.pdf",
        content_type="application/pdf",
        size=len(TINY_PDF),
        sha256="0" * 64,
        uploaded_by=owner,
    )
    identity.file.save("upload", ContentFile(TINY_PDF), save=True)
    # A letter to an individual prints their full resident ID number.
    person: Any = IndividualApplicantFactory(owner=owner)
    ApplicantAccess.objects.create(user=agent, applicant=person, role=AccessRole.AGENT)
    decided_person, _ = awaiting_decision(created_by=owner, applicant=person, funding_round=funding_round)
    with capture_on_commit(execute=True):
        reviews.application_approve(application=decided_person, by=cleared_approver(decided_person))
    person_letter = decided_person.letters.get()
    payable_application()
    batch = batches.batch_create(by=users["finance_officer"])
    payable_application()  # left for a new batch
    ids = {
        # A claim of the other scheme: ELSEWHERE's own work (and every other staff member's).
        "top_up_claim": submitted_application(funding_round=FundingRoundFactory(scheme=top_up)).pk,
        "round": funding_round.pk,
        "applicant": applicant.pk,
        "draft": draft.pk,
        "submitted": submitted.pk,
        "decided": decided.pk,
        "draft_document": draft.documents.first().pk,
        "submitted_document": submitted.documents.first().pk,
        "letter": letter.pk,
        "identity_document": identity.pk,
        "decided_person": decided_person.pk,
        "person_letter": person_letter.pk,
        "token": letter.token,
        "batch": batch.pk,
        "line": batch.lines.get().pk,
    }
    # The owner changes the bank account of an approved claim: held for staff to verify.
    applicant_update(applicant=applicant, by=owner, fields={"bank_account_number": "6222020200112233445"})
    ids["applicant_change"] = ApplicantChange.objects.get(applicant=applicant).pk
    # The stranger says the owner's profile is theirs.
    ids["identity_claim"] = identity_claim_submit(
        by=cast(Any, stranger), number=applicant.uscc, evidence=pdf_upload()
    ).pk
    return World(users=users, ids=ids)
