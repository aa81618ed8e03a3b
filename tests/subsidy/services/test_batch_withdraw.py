"""Withdrawing a released batch whose bank file cannot be produced (Batch.withdraw):
allowed and refused per state and role, claims payable again and re-batchable, audit."""

import pytest
from django.core.exceptions import ValidationError

from subsidy import selectors
from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.models import Application, ApplicationStatus, AuditEntry, Batch, BatchLine, BatchStatus, LineStatus
from subsidy.services import batches
from tests.factories import today
from tests.subsidy.services.test_batches import ROLES, batch_in, csv_return, people

pytestmark = pytest.mark.django_db

B = BatchStatus
SOURCES = {B.RELEASED, B.EXPORTED}
ALLOWED = {"maker", "finance_officer", "finance_approver"}


def withdraw(batch, by, **kwargs):
    kwargs.setdefault("reason", "payee name refused by the pain.001 schema")
    kwargs.setdefault("file_not_sent", True)
    return batches.batch_withdraw(batch=batch, by=by, **kwargs)


CASES = [(status, role) for status in B.values for role in (ROLES if status in SOURCES else ["finance_officer"])]


@pytest.mark.parametrize(("status", "role"), CASES)
def test_withdraw_matrix(status, role):
    who = people()
    batch = batch_in(status, who)
    audit_rows = AuditEntry.objects.count()
    if role not in ALLOWED:
        with pytest.raises(NotPermitted):
            withdraw(batch, who[role])
    elif status not in SOURCES:
        with pytest.raises(InvalidState):
            withdraw(batch, who[role])
    else:
        withdraw(batch, who[role])
        assert Batch.objects.get(pk=batch.pk).status == B.CANCELLED
        assert AuditEntry.objects.count() > audit_rows
        return
    assert Batch.objects.get(pk=batch.pk).status == status
    assert AuditEntry.objects.count() == audit_rows


def test_withdrawn_claims_are_payable_again_and_go_into_a_new_batch():
    who = people()
    batch = batch_in(B.RELEASED, who)
    claims = list(Application.objects.filter(batch_lines__batch=batch))
    assert {c.status for c in claims} == {ApplicationStatus.IN_PAYMENT}
    withdrawn = withdraw(batch, who["finance_approver"], reason="名称含控制字符")
    assert withdrawn.cancel_reason == "名称含控制字符" and withdrawn.cancelled_at is not None
    assert set(BatchLine.objects.filter(batch=batch).values_list("status", flat=True)) == {LineStatus.CANCELLED}
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == ApplicationStatus.APPROVED
        assert claim.payment_failure_reason == ""  # the bank returned nothing: the applicant is not told it did
    assert set(selectors.batch_candidates(today=today()).values_list("pk", flat=True)) == {c.pk for c in claims}
    again = batches.batch_create(by=who["maker"])
    assert again.line_count == len(claims)


def test_withdrawal_is_audited_on_the_batch_and_on_every_claim():
    who = people()
    batch = batch_in(B.EXPORTED, who)
    claims = list(Application.objects.filter(batch_lines__batch=batch))
    withdraw(batch, who["finance_officer"], reason="file failed the XSD")
    row = AuditEntry.objects.for_object(batch).get(transition="withdraw")
    assert (row.from_state, row.to_state, row.actor, row.comment) == (
        B.EXPORTED,
        B.CANCELLED,
        who["finance_officer"],
        "file failed the XSD",
    )
    detail = AuditEntry.objects.for_object(batch).get(transition="batch_withdraw_lines")
    assert detail.changes["lines_cancelled"] == len(claims)
    assert detail.changes["file_not_sent_confirmed"] is True
    for claim in claims:
        claim_row = AuditEntry.objects.for_object(claim).get(transition="payment_failed")
        assert batch.reference in claim_row.comment and "file failed the XSD" in claim_row.comment


def test_a_reason_is_required():
    who = people()
    batch = batch_in(B.RELEASED, who)
    with pytest.raises(ValidationError) as refused:
        withdraw(batch, who["finance_officer"], reason="  ")
    assert "reason" in refused.value.message_dict
    assert Batch.objects.get(pk=batch.pk).status == B.RELEASED


def test_an_exported_batch_needs_the_promise_that_its_file_was_not_sent():
    who = people()
    batch = batch_in(B.EXPORTED, who)
    with pytest.raises(ValidationError) as refused:
        withdraw(batch, who["finance_officer"], file_not_sent=False)
    assert "file_not_sent" in refused.value.message_dict
    assert Batch.objects.get(pk=batch.pk).status == B.EXPORTED
    # A released batch never produced a file: no promise needed.
    released = batch_in(B.RELEASED, who)
    withdraw(released, who["finance_officer"], file_not_sent=False)


def test_once_the_bank_answered_for_one_line_the_batch_cannot_be_withdrawn():
    who = people()
    batch = batch_in(B.EXPORTED, who)
    first = batch.lines.order_by("sequence").first()
    batches.batch_import_return(
        batch=batch, data=csv_return([[first.application_reference, "failed", "", "AC04"]]), by=who["finance_officer"]
    )
    with pytest.raises(InvalidState):
        withdraw(batch, who["finance_officer"])
    assert Batch.objects.get(pk=batch.pk).status == B.EXPORTED


def test_a_return_that_changed_nothing_still_blocks_withdrawal():
    """Even a report of 'accepted, not settled' means the bank has the file."""
    who = people()
    batch = batch_in(B.EXPORTED, who)
    first = batch.lines.order_by("sequence").first()
    batches.batch_import_return(
        batch=batch, data=csv_return([[first.application_reference, "pending", "", ""]]), by=who["finance_officer"]
    )
    with pytest.raises(InvalidState):
        withdraw(batch, who["finance_officer"])
