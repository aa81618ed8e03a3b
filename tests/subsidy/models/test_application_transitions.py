"""One test per allowed and per forbidden transition of this issue's part of the FSM."""

from decimal import Decimal

import pytest
from django.db import transaction
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from subsidy.audit import TransitionOutsideTransaction
from subsidy.models import WITHDRAWABLE_STATUSES, Application, ApplicationStatus
from subsidy.services import applications as services
from tests.factories import ApplicationFactory, UserFactory, submitted_application, update_claim

pytestmark = pytest.mark.django_db


def _force_status(application: Application, status: str) -> Application:
    update_claim(
        application,
        status=status,
        reference=f"GDHK-2026-{application.pk:06d}",
        submitted_at="2026-01-01T00:00:00Z",
        approved_amount=Decimal("100.00"),
        paid_on="2026-01-31" if status == "paid" else None,
    )
    application.refresh_from_db()
    return application


def test_status_cannot_be_set_directly():
    application = ApplicationFactory(complete=False)
    with pytest.raises(AttributeError):
        application.status = ApplicationStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_transition_outside_a_transaction_is_refused():
    application = ApplicationFactory(complete=False)
    with pytest.raises(TransitionOutsideTransaction):
        application.withdraw(by=application.created_by)


def test_submit_allowed_from_draft():
    application = ApplicationFactory()
    assert can_proceed(application.submit)
    assert has_transition_perm(application.submit, application.created_by)


@pytest.mark.parametrize("status", [s for s in ApplicationStatus.values if s != ApplicationStatus.DRAFT])
def test_submit_forbidden_from_every_other_state(status):
    application = _force_status(ApplicationFactory(), status)
    assert not can_proceed(application.submit)
    with pytest.raises(TransitionNotAllowed), transaction.atomic():
        application.submit(by=application.created_by, reference="X", requested_amount=Decimal("1"))


@pytest.mark.parametrize("status", WITHDRAWABLE_STATUSES)
def test_withdraw_allowed_from(status):
    application = ApplicationFactory()
    if status != ApplicationStatus.DRAFT:
        application = _force_status(application, status)
    services.application_withdraw(application=application, by=application.created_by)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.withdrawn_at is not None


@pytest.mark.parametrize("status", [s for s in ApplicationStatus.values if s not in WITHDRAWABLE_STATUSES])
def test_withdraw_forbidden_from(status):
    application = _force_status(ApplicationFactory(), status)
    assert not can_proceed(application.withdraw)
    from subsidy.exceptions import InvalidState

    with pytest.raises(InvalidState):
        services.application_withdraw(application=application, by=application.created_by)


def test_transitions_need_the_applicants_own_account():
    application = submitted_application()
    assert not has_transition_perm(application.withdraw, UserFactory())
    assert has_transition_perm(application.withdraw, application.created_by)
