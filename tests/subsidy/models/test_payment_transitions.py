"""The payment part of the application's FSM: one test per allowed and forbidden
transition, state by state, and who holds the permission."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from subsidy.models import ApplicationStatus, AuditEntry, Role
from tests.factories import UserFactory, finance_staff, payable_application, today, update_claim

pytestmark = pytest.mark.django_db

S = ApplicationStatus
# transition: (source, target, roles with the permission)
PAYMENT = {
    "schedule_payment": (S.APPROVED, S.IN_PAYMENT, {Role.FINANCE_APPROVER}),
    "confirm_paid": (S.IN_PAYMENT, S.PAID, {Role.FINANCE_OFFICER, Role.FINANCE_APPROVER}),
    "payment_failed": (S.IN_PAYMENT, S.APPROVED, {Role.FINANCE_OFFICER, Role.FINANCE_APPROVER}),
}
KWARGS = {
    "schedule_payment": {"batch": "PB-1"},
    "confirm_paid": {"paid_on": dt.date(2026, 11, 24), "bank_reference": "B1"},
    "payment_failed": {"reason": "AC04 account closed"},
}


def in_status(status):
    application = payable_application()
    if status != S.APPROVED:
        update_claim(application, status=status, paid_on=today() if status == S.PAID else None)
        application.refresh_from_db()
    return application


@pytest.mark.parametrize(("name", "status"), [(n, s) for n in PAYMENT for s in S.values if s != S.DRAFT])
def test_payment_transition_from_each_state(name, status):
    source, target, roles = PAYMENT[name]
    application = in_status(status)
    method = getattr(application, name)
    if status != source:
        assert not can_proceed(method)
        with pytest.raises(TransitionNotAllowed), transaction.atomic():
            method(by=finance_staff(*roles), **KWARGS[name])
        return
    assert can_proceed(method)
    with transaction.atomic():
        method(by=finance_staff(*roles), **KWARGS[name])
        application.save()
    application.refresh_from_db()
    assert application.status == target
    assert AuditEntry.objects.for_object(application).filter(transition=name).count() == 1


@pytest.mark.parametrize("name", PAYMENT)
@pytest.mark.parametrize("role", list(Role))
def test_payment_transition_permissions(name, role):
    source, _target, roles = PAYMENT[name]
    application = in_status(source)
    assert has_transition_perm(getattr(application, name), UserFactory(role=role)) == (role in roles)


def test_schedule_payment_waits_for_the_end_of_the_public_notice():
    application = payable_application()
    update_claim(application, notice_ends_on=today())
    application.refresh_from_db()
    assert not can_proceed(application.schedule_payment)
    update_claim(application, notice_ends_on=today() - dt.timedelta(days=1))
    application.refresh_from_db()
    assert can_proceed(application.schedule_payment)


def test_paid_records_date_and_bank_reference_and_failure_keeps_the_reservation():
    application = in_status(S.IN_PAYMENT)
    with transaction.atomic():
        application.payment_failed(by=None, reason="AC04")
        application.save()
    application.refresh_from_db()
    assert (application.status, application.payment_failure_reason) == (S.APPROVED, "AC04")
    assert application.approved_amount == Decimal("4000.00")
    assert application.funding_round.reserved_amount == Decimal("4000.00")
