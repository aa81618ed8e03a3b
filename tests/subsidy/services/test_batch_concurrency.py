"""Two finance officers put the same claims into batches at the same moment, on a real
PostgreSQL server (each thread has its own connection): exactly one batch wins."""

import threading
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from subsidy import selectors
from subsidy.exceptions import DomainError
from subsidy.models import Application, Batch, BatchLine, Role
from subsidy.services import batches
from subsidy.services.batches import lifecycle
from tests.double_clicks import at_once, settled
from tests.factories import finance_staff, payable_application

pytestmark = pytest.mark.django_db(transaction=True)


def build_at_once(officers):
    """Every officer builds a batch at once: index -> the batch or the refusal."""
    results = settled(at_once(*[partial(batches.batch_create, by=o) for o in officers]), (DomainError, ValidationError))
    return dict(enumerate(results))


def wait_after_selecting(monkeypatch, parties, select):
    """Every builder has read its candidates before any of them locks or writes."""
    barrier = threading.Barrier(parties, timeout=30)
    calls = threading.local()

    def candidates_then_wait(**kwargs):
        qs = select(**kwargs)
        if not getattr(calls, "waited", False):
            calls.waited = True
            list(qs.values_list("pk", flat=True))
            barrier.wait()
        return qs

    monkeypatch.setattr(lifecycle, "batch_candidates", candidates_then_wait)


def assert_one_live_line_each(applications):
    for application in applications:
        assert BatchLine.objects.live().filter(application=application).count() == 1


def test_concurrent_builders_queue_on_the_claims_and_exactly_one_batch_takes_them(monkeypatch):
    applications = [payable_application() for _ in range(5)]
    officers = [finance_staff(Role.FINANCE_OFFICER) for _ in range(4)]
    wait_after_selecting(monkeypatch, 4, selectors.batch_candidates)

    outcomes = build_at_once(officers)

    built = [o for o in outcomes.values() if isinstance(o, Batch)]
    assert len(outcomes) == 4 and len(built) == 1
    assert all(isinstance(o, ValidationError) for o in outcomes.values() if not isinstance(o, Batch))
    assert Batch.objects.count() == 1
    assert_one_live_line_each(applications)


def test_when_the_checks_miss_it_the_database_constraint_decides(monkeypatch):
    """Builders whose selection forgets to leave out batched claims: the unique
    constraint on live lines refuses every batch but the first."""
    applications = [payable_application() for _ in range(5)]
    officers = [finance_staff(Role.FINANCE_OFFICER) for _ in range(3)]

    def careless(*, today, **filters):
        return Application.objects.payable(today).order_by("reference")

    wait_after_selecting(monkeypatch, 3, careless)

    outcomes = build_at_once(officers)

    built = [o for o in outcomes.values() if isinstance(o, Batch)]
    assert len(outcomes) == 3 and len(built) == 1
    assert all(isinstance(o, batches.AlreadyInBatch) for o in outcomes.values() if not isinstance(o, Batch))
    assert Batch.objects.count() == 1
    assert BatchLine.objects.count() == 5
    assert_one_live_line_each(applications)


def test_a_bank_change_racing_a_release_never_pays_an_unverified_account():
    """The applicant changes the bank account at the very moment the checker releases:
    whichever commits first, the bank is asked to pay the account that was verified."""
    from subsidy.exceptions import InvalidState
    from subsidy.services.applicants import applicant_update

    officer, releaser = finance_staff(Role.FINANCE_OFFICER), finance_staff(Role.FINANCE_APPROVER)
    claims = [payable_application() for _ in range(3)]
    verified = {claim.pk: claim.payee_account_number for claim in claims}
    batch = batches.batch_create(by=officer)
    batches.batch_submit(batch=batch, by=officer)
    applicant = claims[1].applicant
    owner = applicant.access.get().user
    new_account = {
        "bank_name": "中国银行深圳分行",
        "bank_account_number": "6217850000001234567",
        "cnaps_code": "104584000003",
    }

    outcome = settled(
        at_once(
            partial(applicant_update, applicant=applicant, by=owner, fields=new_account),
            partial(batches.batch_release, batch=batch, by=releaser),
        ),
        (InvalidState,),
    )

    batch.refresh_from_db()
    for line in batch.lines.all():
        assert line.account_number == verified[line.application_id]
    if isinstance(outcome[1], InvalidState):  # the change came first: release refused, nothing moved
        assert batch.status == "submitted"
        assert not Application.objects.filter(status="in_payment").exists()
    else:
        assert batch.status == "released"
