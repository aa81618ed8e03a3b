"""Disbursement batches: build, maker-checker release, export, reconciliation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from subsidy import selectors
from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.models import (
    Application,
    ApplicationStatus,
    AuditEntry,
    BankReturn,
    Batch,
    BatchLine,
    BatchStatus,
    GuangdongCity,
    LineStatus,
    Role,
)
from subsidy.services import batches
from tests.factories import (
    ApplicantFactory,
    FundingRoundFactory,
    UserFactory,
    finance_staff,
    payable_application,
    today,
    update_claim,
)

pytestmark = pytest.mark.django_db

B = BatchStatus


@pytest.fixture
def officer():
    return finance_staff(Role.FINANCE_OFFICER)


@pytest.fixture
def approver():
    return finance_staff(Role.FINANCE_APPROVER)


def released_batch(officer, approver, **filters):
    batch = batches.batch_create(by=officer, **filters)
    batches.batch_submit(batch=batch, by=officer)
    return batches.batch_release(batch=batch, by=approver)


def csv_return(rows):
    return "\n".join(",".join(row) for row in rows).encode()


# --------------------------------------------------------------------------
# Building a draft
# --------------------------------------------------------------------------


def test_a_draft_holds_every_payable_claim_matching_the_filters(officer):
    funding_round = FundingRoundFactory()
    shenzhen = [payable_application(funding_round=funding_round) for _ in range(3)]
    payable_application(
        funding_round=funding_round, applicant=ApplicantFactory(city=GuangdongCity.GUANGZHOU)
    )  # other city
    payable_application()  # other round
    batch = batches.batch_create(by=officer, funding_round=funding_round, city=GuangdongCity.SHENZHEN)
    assert batch.status == B.DRAFT
    assert batch.reference.startswith("PB-")
    assert {line.application_id for line in batch.lines.all()} == {a.pk for a in shenzhen}
    assert batch.line_count == 3
    assert batch.total_amount == Decimal("12000.00")
    assert list(batch.lines.values_list("sequence", flat=True).order_by("sequence")) == [1, 2, 3]
    entry = AuditEntry.objects.for_object(batch).get()
    assert (entry.transition, entry.actor) == ("batch_create", officer)


def test_a_draft_of_one_scheme_holds_only_that_schemes_claims(officer):
    from tests.factories import top_up_scheme

    city = top_up_scheme()
    city_claims = [payable_application(funding_round=FundingRoundFactory(scheme=city)) for _ in range(2)]
    payable_application()  # the province's
    batch = batches.batch_create(by=officer, scheme=city)
    assert {line.application_id for line in batch.lines.all()} == {a.pk for a in city_claims}
    assert batch.description == f"scheme={city.code}"


def test_claims_in_public_notice_or_without_bank_details_or_already_batched_are_left_out(officer):
    funding_round = FundingRoundFactory()
    ready = payable_application(funding_round=funding_round)
    in_notice = payable_application(funding_round=funding_round)
    update_claim(in_notice, notice_ends_on=today())
    no_bank = payable_application(
        funding_round=funding_round,
        applicant=ApplicantFactory(bank_account_name="", bank_name="", bank_account_number="", cnaps_code=""),
    )
    first = batches.batch_create(by=officer, funding_round=funding_round)
    assert [line.application_id for line in first.lines.all()] == [ready.pk]
    assert no_bank.pk not in selectors.batch_candidates(today=today()).values_list("pk", flat=True)
    with pytest.raises(ValidationError):
        batches.batch_create(by=officer, funding_round=funding_round)


def test_approval_date_filter(officer):
    old = payable_application()
    update_claim(old, decided_at=old.decided_at - dt.timedelta(days=60))
    recent = payable_application()
    batch = batches.batch_create(by=officer, approved_from=today() - dt.timedelta(days=30))
    assert [line.application_id for line in batch.lines.all()] == [recent.pk]


@pytest.mark.parametrize("role", [Role.FINANCE_APPROVER, Role.APPROVER, Role.REVIEWER, Role.AUDITOR, Role.APPLICANT])
def test_only_finance_officers_build_batches(role):
    payable_application()
    with pytest.raises(NotPermitted):
        batches.batch_create(by=UserFactory(role=role))
    assert not Batch.objects.exists()


# --------------------------------------------------------------------------
# Transition matrix: every batch action from every state by every role
# --------------------------------------------------------------------------

ROLES = ["maker", "finance_officer", "finance_approver", "approver", "reviewer", "auditor", "applicant"]


def people():
    return {
        # The maker builds and submits and also holds the approver role: maker-checker
        # must still stop them releasing their own batch.
        "maker": finance_staff(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER),
        "finance_officer": finance_staff(Role.FINANCE_OFFICER),
        "finance_approver": finance_staff(Role.FINANCE_APPROVER),
        "approver": UserFactory(role=Role.APPROVER),
        "reviewer": UserFactory(role=Role.REVIEWER),
        "auditor": UserFactory(role=Role.AUDITOR),
        "applicant": UserFactory(role=Role.APPLICANT),
    }


def batch_in(status, who):
    payable_application()
    payable_application()
    batch = batches.batch_create(by=who["maker"])
    if status == B.CANCELLED:
        return batches.batch_cancel(batch=batch, by=who["maker"], reason="wrong selection")
    if status == B.DRAFT:
        return batch
    batch = batches.batch_submit(batch=batch, by=who["maker"])
    if status == B.SUBMITTED:
        return batch
    batch = batches.batch_release(batch=batch, by=who["finance_approver"])
    if status == B.RELEASED:
        return batch
    batches.batch_export(batch=batch, export_format="csv", by=who["finance_officer"]).file.close()
    if status == B.EXPORTED:
        return Batch.objects.get(pk=batch.pk)
    rows = [[line.application_reference, "paid", "B1", ""] for line in batch.lines.all()]
    batches.batch_import_return(batch=batch, data=csv_return(rows), by=who["finance_officer"])
    return Batch.objects.get(pk=batch.pk)


ACTIONS = {
    "submit": (lambda b, by: batches.batch_submit(batch=b, by=by), {B.DRAFT}, {"maker", "finance_officer"}),
    "release": (lambda b, by: batches.batch_release(batch=b, by=by), {B.SUBMITTED}, {"finance_approver"}),
    "cancel": (
        lambda b, by: batches.batch_cancel(batch=b, by=by, reason="r"),
        {B.DRAFT, B.SUBMITTED},
        {"maker", "finance_officer", "finance_approver"},
    ),
    "export": (
        lambda b, by: batches.batch_export(batch=b, export_format="csv", by=by).file.close(),
        {B.RELEASED, B.EXPORTED, B.RECONCILED},
        {"maker", "finance_officer", "finance_approver"},
    ),
}
CASES = [
    (action, status, role)
    for action, (_call, sources, allowed) in ACTIONS.items()
    for status in B.values
    for role in (ROLES if status in sources else [sorted(allowed)[0]])
]


@pytest.mark.parametrize(("action", "status", "role"), CASES)
def test_batch_transition_matrix(action, status, role):
    call, sources, allowed = ACTIONS[action]
    who = people()
    batch = batch_in(status, who)
    audit_rows = AuditEntry.objects.count()
    if status not in sources:
        with pytest.raises(InvalidState):
            call(batch, who[role])
    elif role not in allowed:
        with pytest.raises(NotPermitted):
            call(batch, who[role])
    else:
        call(batch, who[role])
        assert AuditEntry.objects.count() > audit_rows
        return
    assert Batch.objects.get(pk=batch.pk).status == status
    assert AuditEntry.objects.count() == audit_rows


def test_the_officer_who_submitted_cannot_release_even_holding_the_approver_role():
    who = people()
    batch = batch_in(B.SUBMITTED, who)
    with pytest.raises(NotPermitted):
        batches.batch_release(batch=batch, by=who["maker"])
    assert Batch.objects.get(pk=batch.pk).status == B.SUBMITTED
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.APPROVED}


def test_the_database_refuses_a_batch_released_by_its_submitter():
    who = people()
    batch = batch_in(B.RELEASED, who)
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(released_by=batch.submitted_by)


def test_release_moves_every_claim_to_in_payment_and_freezes_payee_details(officer, approver):
    applications = [payable_application() for _ in range(3)]
    batch = released_batch(officer, approver)
    assert batch.status == B.RELEASED
    assert batch.released_by == approver
    for application in applications:
        application.refresh_from_db()
        assert application.status == ApplicationStatus.IN_PAYMENT
        assert AuditEntry.objects.for_object(application).filter(transition="schedule_payment").count() == 1
    line = batch.lines.get(application=applications[0])
    applicant = applications[0].applicant
    assert (line.payee_name, line.account_number, line.cnaps_code) == (
        applicant.bank_account_name,
        applicant.bank_account_number,
        applicant.cnaps_code,
    )
    assert line.letter_reference == f"{applications[0].reference}-A1"  # the approval letter in force
    # A later profile edit does not change the released batch.
    type(applicant).objects.filter(pk=applicant.pk).update(bank_account_number="6222020000000000001")
    line.refresh_from_db()
    assert line.account_number == "4000023409200123456"
    assert line.masked_account == "•••• 3456"


def test_release_is_refused_while_a_claim_is_still_in_public_notice(officer, approver):
    application = payable_application()
    batch = batches.batch_create(by=officer)
    batches.batch_submit(batch=batch, by=officer)
    update_claim(application, notice_ends_on=today())
    with pytest.raises(InvalidState, match=application.reference):
        batches.batch_release(batch=batch, by=approver)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_cancelling_frees_the_claims_for_another_batch(officer):
    application = payable_application()
    batch = batches.batch_create(by=officer)
    with pytest.raises(ValidationError):
        batches.batch_cancel(batch=batch, by=officer, reason=" ")
    batches.batch_cancel(batch=batch, by=officer, reason="built from the wrong round")
    assert batch.lines.get().status == LineStatus.CANCELLED
    second = batches.batch_create(by=officer)
    assert second.lines.get().application_id == application.pk


def test_one_live_line_per_application_is_a_database_constraint(officer):
    application = payable_application()
    batch = batches.batch_create(by=officer)
    other = Batch.objects.create(reference="OTHER", created_by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.create(
            batch=other, sequence=1, application=application, amount=Decimal("1.00"), application_reference="x"
        )
    BatchLine.objects.filter(batch=batch).update(status=LineStatus.FAILED)
    BatchLine.objects.create(
        batch=other, sequence=1, application=application, amount=Decimal("1.00"), application_reference="x"
    )


# --------------------------------------------------------------------------
# Reconciliation
# --------------------------------------------------------------------------


def exported_batch(officer, approver, count=3):
    applications = [payable_application() for _ in range(count)]
    batch = released_batch(officer, approver)
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    return Batch.objects.get(pk=batch.pk), applications


def test_csv_return_pays_and_fails_lines_and_reconciles(officer, approver):
    batch, (paid, failed, other) = exported_batch(officer, approver)
    data = csv_return(
        [
            ["application_reference", "status", "bank_reference", "failure_reason"],
            [paid.reference, "paid", "CMB20261124001", ""],
            [failed.reference, "failed", "", "账户已销户 account closed"],
        ]
    )
    result = batches.batch_import_return(batch=batch, data=data, filename="return.csv", by=officer)
    assert (result.paid, result.failed, result.reported) == (1, 1, [])
    paid.refresh_from_db()
    failed.refresh_from_db()
    assert paid.status == ApplicationStatus.PAID
    assert (paid.paid_on, paid.bank_reference) == (today(), "CMB20261124001")
    assert failed.status == ApplicationStatus.APPROVED
    assert failed.payment_failure_reason == "账户已销户 account closed"
    assert Batch.objects.get(pk=batch.pk).status == B.EXPORTED  # one line still pending
    batches.batch_import_return(batch=batch, data=csv_return([[other.reference, "paid", "X", ""]]), by=officer)
    assert Batch.objects.get(pk=batch.pk).status == B.RECONCILED
    # The failed claim is ready for a new batch.
    assert list(selectors.batch_candidates(today=today()).values_list("pk", flat=True)) == [failed.pk]


def test_unknown_references_mismatched_amounts_and_settled_lines_are_reported_not_applied(officer, approver):
    batch, (first, second, third) = exported_batch(officer, approver)
    batches.batch_import_return(batch=batch, data=csv_return([[first.reference, "paid", "B1", ""]]), by=officer)
    data = csv_return(
        [
            [first.reference, "failed", "", "late reject"],  # already paid
            ["GDHK-NOPE-1", "paid", "B2", ""],
            [second.reference, "paid", "B3", "", "3999.99"],  # amount differs
            [third.reference, "pending", "", ""],
        ]
    )
    result = batches.batch_import_return(batch=batch, data=data, by=officer)
    assert [(r["reference"], r["problem"]) for r in result.reported] == [
        (first.reference, "already_settled"),
        ("GDHK-NOPE-1", "unknown_reference"),
        (second.reference, "amount_mismatch"),
        (third.reference, "not_final"),
    ]
    assert (result.paid, result.failed) == (0, 0)
    assert Application.objects.get(pk=first.pk).status == ApplicationStatus.PAID
    assert Application.objects.get(pk=second.pk).status == ApplicationStatus.IN_PAYMENT
    assert BankReturn.objects.get(pk=result.bank_return.pk).reported == result.reported


def test_a_file_with_no_payment_of_the_batch_is_refused_as_another_batchs_return(officer, approver):
    batch, _claims = exported_batch(officer, approver)
    data = csv_return([["GDHK-2025-000001", "paid", "B1", ""], ["GDHK-2025-000002", "failed", "", "AC04"]])
    with pytest.raises(batches.ReturnFileUnreadable) as refused:
        batches.batch_import_return(batch=batch, data=data, by=officer)
    assert "None of the 2 payments" in str(refused.value.message)
    assert batch.reference in str(refused.value.message)
    assert not BankReturn.objects.filter(batch=batch).exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(officer, approver):
    batch, (first, second, _third) = exported_batch(officer, approver)
    data = csv_return([[first.reference, "paid", "B1", ""], [second.reference, "rejected", "", "AC04"]])
    batches.batch_import_return(batch=batch, data=data, by=officer)
    audit_rows, lines = AuditEntry.objects.count(), list(BatchLine.objects.values())
    again = batches.batch_import_return(batch=batch, data=data, by=officer)
    assert again.repeated
    assert (again.paid, again.failed) == (0, 0)
    assert AuditEntry.objects.count() == audit_rows
    assert list(BatchLine.objects.values()) == lines
    assert BankReturn.objects.count() == 1


def test_a_return_file_before_export_is_refused(officer, approver):
    payable_application()
    batch = released_batch(officer, approver)
    with pytest.raises(InvalidState):
        batches.batch_import_return(batch=batch, data=b"x,paid,,", by=officer)


def test_an_unreadable_return_file_is_refused_whole(officer, approver):
    batch, _applications = exported_batch(officer, approver)
    with pytest.raises(batches.ReturnFileUnreadable):
        batches.batch_import_return(batch=batch, data=b"<Document><Nope/></Document>", by=officer)
    assert not BankReturn.objects.exists()


def test_budget_view_reconciles_through_payment(officer, approver):
    funding_round = FundingRoundFactory(budget=Decimal("100000.00"))
    for _ in range(3):
        payable_application(funding_round=funding_round, amount=Decimal("1000.10"))
    batch = batches.batch_create(by=officer, funding_round=funding_round)
    payable_application(funding_round=funding_round, amount=Decimal("500.00"))  # approved, not batched
    batches.batch_submit(batch=batch, by=officer)
    batch = batches.batch_release(batch=batch, by=approver)
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    refs = [line.application_reference for line in batch.lines.order_by("sequence")]
    batches.batch_import_return(batch=batch, data=csv_return([[refs[0], "paid", "B", ""]]), by=officer)
    (budget,) = [b for b in selectors.round_budgets() if b.funding_round.pk == funding_round.pk]
    assert budget.reserved == Decimal("3500.30")
    assert (budget.awaiting_payment, budget.in_payment, budget.paid) == (
        Decimal("500.00"),
        Decimal("2000.20"),
        Decimal("1000.10"),
    )
    assert budget.remaining == Decimal("96499.70")
    assert budget.reconciles


def test_pain002_amount_mismatch_is_reported_and_a_report_for_another_batch_refused(officer, approver):
    from tests.subsidy.exports.bank_files import craft_pain002

    batch, (first, second, third) = exported_batch(officer, approver)
    wrong = craft_pain002("PB-OTHER", [(first.reference, Decimal("4000.00"), "ACSC")], on=today())
    with pytest.raises(batches.ReturnFileUnreadable, match="PB-OTHER"):
        batches.batch_import_return(batch=batch, data=wrong, by=officer)
    report = craft_pain002(
        batch.reference,
        [
            (first.reference, Decimal("4000.00"), "ACSC"),
            (second.reference, Decimal("4000.01"), "ACSC"),
            (third.reference, Decimal("4000.00"), "ACSP"),
        ],
        on=today(),
    )
    result = batches.batch_import_return(batch=batch, data=report, by=officer)
    assert result.paid == 1
    assert [(r["reference"], r["problem"]) for r in result.reported] == [
        (second.reference, "amount_mismatch"),
        (third.reference, "not_final"),
    ]


def test_the_applicant_is_told_when_the_bank_paid_or_returned_the_money(
    officer, approver, mailoutbox, django_capture_on_commit_callbacks
):
    batch, (first, second, _third) = exported_batch(officer, approver)
    data = csv_return([[first.reference, "paid", "B1", ""], [second.reference, "rejected", "", "AC04"]])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_import_return(batch=batch, data=data, by=officer)
    by_subject = {mail.subject: mail for mail in mailoutbox}
    paid = by_subject[f"Subsidy for claim {first.reference} paid"]
    assert first.applicant.email in paid.to
    first.refresh_from_db()
    assert f"{first.approved_amount:,.2f}" in paid.body
    returned = by_subject[f"Payment for claim {second.reference} returned by the bank"]
    assert "bank details" in returned.body
    assert len(mailoutbox) == 2
    # The same file again tells nobody anything.
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_import_return(batch=batch, data=data, by=officer)
    assert len(mailoutbox) == 2
