"""The whole money path: 50 claims → batch → pain.001 → the bank's pain.002 with 47
accepted and 3 rejected → 47 paid, 3 approved again → a new batch of those 3 → paid."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from subsidy import selectors
from subsidy.models import Application, ApplicationStatus, AuditEntry, Batch, BatchLine, BatchStatus, LineStatus, Role
from subsidy.services import batches
from tests.factories import FundingRoundFactory, finance_staff, payable_application, today
from tests.subsidy.exports.bank_files import craft_pain002, pain001_transactions

pytestmark = pytest.mark.django_db


def pay_out(batch, officer, approver):
    batches.batch_submit(batch=batch, by=officer)
    batch = batches.batch_release(batch=batch, by=approver)
    exported = batches.batch_export(batch=batch, export_format="pain001", by=officer)
    with exported.file as handle:
        return batch, handle.read()


def test_fifty_claims_round_trip_to_the_cent():
    officer, approver = finance_staff(Role.FINANCE_OFFICER), finance_staff(Role.FINANCE_APPROVER)
    funding_round = FundingRoundFactory(budget=Decimal("1000000.00"))
    amounts = [Decimal("1000.00") + Decimal(i) * Decimal("123.37") for i in range(50)]
    for amount in amounts:
        payable_application(funding_round=funding_round, amount=amount)
    expected_total = sum(amounts, Decimal("0.00"))

    batch, pain001 = pay_out(batches.batch_create(by=officer, funding_round=funding_round), officer, approver)
    sent = pain001_transactions(pain001)
    assert len(sent) == 50 and sum(amount for _ref, amount in sent) == expected_total
    rejected = {ref for ref, _amount in sent[10:13]}
    report = craft_pain002(
        batch.reference, [(ref, amount, "RJCT" if ref in rejected else "ACSC") for ref, amount in sent], on=today()
    )

    result = batches.batch_import_return(batch=batch, data=report, filename="pain002.xml", by=officer)

    assert (result.paid, result.failed, result.reported) == (47, 3, [])
    statuses = dict(Application.objects.values_list("reference", "status"))
    assert sorted(ref for ref, status in statuses.items() if status == ApplicationStatus.APPROVED) == sorted(rejected)
    assert list(statuses.values()).count(ApplicationStatus.PAID) == 47
    paid = Application.objects.get(reference=sent[0][0])
    assert paid.paid_on == today() and paid.bank_reference == "BANK000001"
    failed = Application.objects.get(reference=sent[10][0])
    assert failed.payment_failure_reason.startswith("AC04")
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.RECONCILED

    # The same file again: recognised, nothing changes.
    audit_rows = AuditEntry.objects.count()
    again = batches.batch_import_return(batch=batch, data=report, filename="pain002.xml", by=officer)
    assert again.repeated and (again.paid, again.failed) == (0, 0)
    assert AuditEntry.objects.count() == audit_rows

    # The three failed claims go into a new batch and are paid.
    second, pain001_again = pay_out(batches.batch_create(by=officer, funding_round=funding_round), officer, approver)
    resent = pain001_transactions(pain001_again)
    assert {ref for ref, _amount in resent} == rejected
    batches.batch_import_return(
        batch=second, data=craft_pain002(second.reference, [(r, a, "ACSC") for r, a in resent], on=today()), by=officer
    )
    assert Batch.objects.get(pk=second.pk).status == BatchStatus.RECONCILED

    # Totals reconcile to the cent: claims, lines, budget.
    assert not Application.objects.exclude(status=ApplicationStatus.PAID).exists()
    assert Application.objects.aggregate(t=Sum("approved_amount"))["t"] == expected_total
    assert BatchLine.objects.filter(status=LineStatus.PAID).aggregate(t=Sum("amount"))["t"] == expected_total
    assert BatchLine.objects.filter(status=LineStatus.FAILED).count() == 3
    assert BatchLine.objects.filter(status=LineStatus.PAID).count() == 50
    (budget,) = [b for b in selectors.round_budgets() if b.funding_round.pk == funding_round.pk]
    assert budget.paid == budget.reserved == expected_total
    assert budget.awaiting_payment == budget.in_payment == Decimal("0.00")
    assert budget.remaining == Decimal("1000000.00") - expected_total
    assert budget.reconciles
    for done in (batch, second):
        assert batches.batch_totals_reconcile(Batch.objects.get(pk=done.pk))
