"""Identity squatting: whoever registers a company's USCC first would lock the real
company out. The real holder proves it with its business licence; staff decide, audited;
granting ends the squatter's access (kept on record, never deleted)."""

import pytest
from django.core.exceptions import ValidationError

from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.models import ApplicantAccess, Application, AuditEntry, IdentityClaimStatus, Role
from subsidy.services.applicants import applicant_create
from subsidy.services.identity_claims import (
    identity_claim_evidence_open,
    identity_claim_grant,
    identity_claim_refuse,
    identity_claim_submit,
)
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def squatted():
    squatter = UserFactory()
    applicant = ApplicantFactory(owner=squatter)
    return applicant, squatter


def test_the_real_company_is_locked_out_then_claims_its_profile_back(squatted):
    applicant, squatter = squatted
    draft = ApplicationFactory(applicant=applicant, created_by=squatter, complete=False)
    real = UserFactory()
    with pytest.raises(ValidationError):  # the attack: the number is taken
        applicant_create(by=real, fields={"kind": "organisation", "uscc": applicant.uscc, "name": "x"})

    claim = identity_claim_submit(by=real, number=applicant.uscc.lower(), evidence=pdf_upload(), note="I am the CFO.")
    approver = UserFactory(role=Role.APPROVER)
    identity_claim_grant(claim=claim, by=approver, comment="Licence matches the registry.")

    claim.refresh_from_db()
    assert claim.status == IdentityClaimStatus.GRANTED
    assert applicant.is_accessible_by(real) and not applicant.is_accessible_by(squatter)
    assert ApplicantAccess.objects.get(user=squatter).revoked_at is not None  # ended, kept on record
    assert Application.objects.accessible_by(real).filter(pk=draft.pk).exists()
    assert not Application.objects.accessible_by(squatter).exists()
    row = AuditEntry.objects.for_object(applicant).get(transition="identity_claim_granted")
    assert row.changes["access_ended"] == [squatter.pk]


def test_a_claim_needs_a_registered_number_and_evidence_that_passes_the_upload_checks(squatted):
    applicant, _squatter = squatted
    with pytest.raises(ValidationError) as unknown:
        identity_claim_submit(by=UserFactory(), number="91440300MA5FUWL93N", evidence=pdf_upload())
    assert "No profile is registered" in unknown.value.message_dict["number"][0]
    with pytest.raises(ValidationError):
        identity_claim_submit(by=UserFactory(), number=applicant.uscc, evidence=pdf_upload(content=b"not a pdf"))


def test_one_pending_claim_at_a_time_and_decisions_are_final(squatted):
    applicant, _squatter = squatted
    real = UserFactory()
    claim = identity_claim_submit(by=real, number=applicant.uscc, evidence=pdf_upload())
    with pytest.raises(ValidationError):
        identity_claim_submit(by=real, number=applicant.uscc, evidence=pdf_upload())
    admin = UserFactory(role=Role.SCHEME_ADMIN)
    with pytest.raises(ValidationError):
        identity_claim_refuse(claim=claim, by=admin, comment=" ")
    identity_claim_refuse(claim=claim, by=admin, comment="The licence names another company.")
    with pytest.raises(InvalidState):
        identity_claim_grant(claim=claim, by=admin, comment="Changed my mind.")
    assert applicant.is_accessible_by(_squatter) and not applicant.is_accessible_by(real)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.APPLICANT])
def test_only_approvers_and_scheme_administrators_decide(squatted, role):
    applicant, _squatter = squatted
    claim = identity_claim_submit(by=UserFactory(), number=applicant.uscc, evidence=pdf_upload())
    with pytest.raises(NotPermitted):
        identity_claim_grant(claim=claim, by=UserFactory(role=role), comment="ok")


def test_staff_cannot_claim_a_profile_and_opening_the_evidence_is_audited(squatted):
    applicant, _squatter = squatted
    with pytest.raises(NotPermitted):
        identity_claim_submit(by=UserFactory(role=Role.APPROVER), number=applicant.uscc, evidence=pdf_upload())
    claim = identity_claim_submit(by=UserFactory(), number=applicant.uscc, evidence=pdf_upload())
    with pytest.raises(NotPermitted):
        identity_claim_evidence_open(claim=claim, by=UserFactory(role=Role.AUDITOR))
    approver = UserFactory(role=Role.APPROVER)
    identity_claim_evidence_open(claim=claim, by=approver).close()
    viewed = AuditEntry.objects.for_object(applicant).get(transition="personal_data_viewed")
    assert viewed.actor == approver and viewed.changes["identity_claim"] == claim.pk
