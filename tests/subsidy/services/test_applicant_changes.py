"""The payee checked is the payee paid, and who an applicant is stays what was decided:
identity and bank details that already count change only through two members of staff
(subsidy.services.applicant_changes). Each attack of the security review is first
reproduced, then shown refused."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from subsidy import selectors
from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.models import (
    ApplicantChange,
    ApplicantChangeStatus,
    ApplicationStatus,
    AuditEntry,
    Role,
)
from subsidy.services import batches
from subsidy.services.applicant_changes import (
    applicant_change_check,
    applicant_change_confirm,
    applicant_change_refuse,
)
from subsidy.services.applicants import applicant_update
from tests.factories import ApplicantFactory, UserFactory, finance_staff, payable_application, submitted_application

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {
    "bank_name": "中国银行深圳分行",
    "bank_account_number": "6217850000001234567",
    "cnaps_code": "104584000003",
}


def owner_of(application):
    return application.applicant.access.get().user


@pytest.fixture
def officer():
    return finance_staff(Role.FINANCE_OFFICER)


@pytest.fixture
def checker():
    return finance_staff(Role.FINANCE_OFFICER)


@pytest.fixture
def confirmer():
    return finance_staff(Role.FINANCE_APPROVER)


def verified(change, checker, confirmer):
    applicant_change_check(change=change, by=checker, comment="Bank letter seen.")
    return applicant_change_confirm(change=change, by=confirmer, comment="Called the number on file.")


# --------------------------------------------------------------------------
# The attack: change the bank account between the checker's look and the release
# --------------------------------------------------------------------------


def test_an_account_in_someone_elses_name_is_refused_at_the_field():
    claim = payable_application()
    with pytest.raises(ValidationError) as refused:
        applicant_update(
            applicant=claim.applicant,
            by=owner_of(claim),
            fields={"bank_account_name": "李四", **NEW_ACCOUNT},
        )
    assert refused.value.message_dict["bank_account_name"][0].startswith("The account must be in the applicant's own")
    assert not ApplicantChange.objects.exists()


def test_a_bank_change_on_an_approved_claim_is_held_and_nothing_that_pays_uses_it(django_capture_on_commit_callbacks):
    claim = payable_application()
    before = claim.payee_account_number
    with django_capture_on_commit_callbacks(execute=True):
        applicant_update(applicant=claim.applicant, by=owner_of(claim), fields={**NEW_ACCOUNT, "phone": "13800138000"})

    claim.refresh_from_db()
    claim.applicant.refresh_from_db()
    change = ApplicantChange.objects.get()
    assert change.status == ApplicantChangeStatus.PENDING
    assert set(change.proposed) == {"bank_name", "bank_account_number", "cnaps_code"}
    # The profile and the claim keep the details that were checked; the phone is not held.
    assert claim.applicant.bank_account_number == before == claim.payee_account_number
    assert claim.applicant.phone == "13800138000"
    # Held out of batches until verified.
    assert not selectors.batch_candidates(today=claim.decided_at.date().replace(year=2100)).exists()
    # The applicant is told, without the new numbers.
    assert len(mail.outbox) == 1
    assert "waiting for verification" in mail.outbox[0].subject
    assert NEW_ACCOUNT["bank_account_number"] not in mail.outbox[0].body
    # Audited without the values.
    row = AuditEntry.objects.for_object(claim.applicant).get(transition="applicant_change_requested")
    assert NEW_ACCOUNT["bank_account_number"] not in str(row.changes)


def test_two_people_verify_a_change_and_only_then_the_new_account_is_paid(officer, checker, confirmer):
    claim = payable_application()
    applicant_update(applicant=claim.applicant, by=owner_of(claim), fields=NEW_ACCOUNT)
    change = ApplicantChange.objects.get()

    with pytest.raises(NotPermitted):  # the checker cannot also confirm
        applicant_change_check(change=change, by=checker)
        applicant_change_confirm(change=change, by=checker)
    change.refresh_from_db()
    assert change.status == ApplicantChangeStatus.CHECKED
    applicant_change_confirm(change=change, by=confirmer)

    claim.refresh_from_db()
    assert claim.payee_account_number == NEW_ACCOUNT["bank_account_number"]
    batch = batches.batch_create(by=officer)
    assert batch.lines.get().account_number == NEW_ACCOUNT["bank_account_number"]
    transitions = set(AuditEntry.objects.for_object(change).values_list("transition", flat=True))
    assert transitions == {"mark_checked", "confirm"}


def test_the_database_refuses_a_change_confirmed_by_its_checker(checker):
    claim = payable_application()
    applicant_update(applicant=claim.applicant, by=owner_of(claim), fields=NEW_ACCOUNT)
    change = applicant_change_check(change=ApplicantChange.objects.get(), by=checker)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicantChange.objects.filter(pk=change.pk).update(status="applied", decided_by=checker)


def test_release_refuses_when_the_payee_changed_after_the_maker_submitted(officer, checker, confirmer):
    claim = payable_application()
    batch = batches.batch_create(by=officer)
    batches.batch_submit(batch=batch, by=officer)
    applicant_update(applicant=claim.applicant, by=owner_of(claim), fields=NEW_ACCOUNT)

    releaser = finance_staff(Role.FINANCE_APPROVER)
    with pytest.raises(InvalidState) as pending:
        batches.batch_release(batch=batch, by=releaser)
    assert "awaits verification" in str(pending.value.message)

    verified(ApplicantChange.objects.get(), checker, confirmer)
    with pytest.raises(InvalidState) as changed:
        batches.batch_release(batch=batch, by=releaser)
    message = str(changed.value.message)
    assert "account number: •••• 3456 → •••• 4567" in message
    assert NEW_ACCOUNT["bank_account_number"] not in message
    claim.refresh_from_db()
    assert claim.status == ApplicationStatus.APPROVED


def test_a_refused_change_leaves_everything_as_it_was(checker, django_capture_on_commit_callbacks):
    claim = payable_application()
    applicant_update(applicant=claim.applicant, by=owner_of(claim), fields=NEW_ACCOUNT)
    change = ApplicantChange.objects.get()
    with pytest.raises(ValidationError):
        applicant_change_refuse(change=change, by=checker, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        applicant_change_refuse(change=change, by=checker, reason="The bank could not confirm the account.")
    claim.refresh_from_db()
    assert claim.payee_account_number != NEW_ACCOUNT["bank_account_number"]
    assert "could not confirm" in mail.outbox[-1].body
    assert selectors.batch_candidates(today=claim.notice_ends_on.replace(year=2100)).filter(pk=claim.pk).exists()


def test_a_newer_change_supersedes_the_open_one():
    claim = payable_application()
    owner = owner_of(claim)
    applicant_update(applicant=claim.applicant, by=owner, fields=NEW_ACCOUNT)
    applicant_update(applicant=claim.applicant, by=owner, fields={**NEW_ACCOUNT, "cnaps_code": "104584000011"})
    statuses = list(ApplicantChange.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [ApplicantChangeStatus.SUPERSEDED, ApplicantChangeStatus.PENDING]


def test_applicants_and_outsiders_cannot_verify_changes():
    claim = payable_application()
    owner = owner_of(claim)
    applicant_update(applicant=claim.applicant, by=owner, fields=NEW_ACCOUNT)
    change = ApplicantChange.objects.get()
    for who in (owner, UserFactory(role=Role.AUDITOR), UserFactory(role=Role.APPLICANT)):
        with pytest.raises(NotPermitted):
            applicant_change_check(change=change, by=who)


def test_before_approval_bank_details_change_at_once_and_approval_fixes_them():
    claim = submitted_application()
    applicant_update(applicant=claim.applicant, by=claim.created_by, fields=NEW_ACCOUNT)
    claim.applicant.refresh_from_db()
    assert claim.applicant.bank_account_number == NEW_ACCOUNT["bank_account_number"]
    assert not ApplicantChange.objects.exists()


# --------------------------------------------------------------------------
# Identity after submission
# --------------------------------------------------------------------------


def test_identity_is_frozen_once_a_claim_is_submitted_and_changes_wait_for_staff(checker):
    claim = submitted_application()
    owner = claim.created_by
    old_name = claim.applicant.name
    new_name = "深圳市新名字科技有限公司"
    applicant_update(
        applicant=claim.applicant,
        by=owner,
        fields={"name": new_name, "bank_account_name": new_name, "address": "深圳市福田区 2 号"},
    )
    claim.applicant.refresh_from_db()
    assert claim.applicant.name == old_name  # the notice and letters keep naming who was decided on
    assert claim.applicant.address == "深圳市福田区 2 号"
    change = ApplicantChange.objects.get()
    assert change.proposed == {"name": new_name, "bank_account_name": new_name}

    applicant_change_check(change=change, by=checker)
    applicant_change_confirm(change=change, by=finance_staff(Role.APPROVER))
    claim.applicant.refresh_from_db()
    assert (claim.applicant.name, claim.applicant.bank_account_name) == (new_name, new_name)


def test_an_applicant_without_a_submitted_claim_changes_identity_at_once():
    owner = UserFactory()
    applicant = ApplicantFactory(owner=owner)
    applicant_update(applicant=applicant, by=owner, fields={"name_en": "Renamed Ltd"})
    applicant.refresh_from_db()
    assert applicant.name_en == "Renamed Ltd"
    assert not ApplicantChange.objects.exists()
