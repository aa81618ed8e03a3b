"""The database connection is lost in the middle of releasing a batch: another client
terminates the releasing session's server backend (`pg_terminate_backend`) at a point
inside the release, reached through django-fsm's post_transition signal. The release
is all or nothing: the batch, its lines, the claims and the audit trail are as before,
and releasing again afterwards works."""

import pytest
from django.db import OperationalError, connection, connections
from django_fsm.signals import post_transition

from subsidy.models import Application, ApplicationStatus, AuditEntry, Batch, BatchStatus, LineStatus, Role
from subsidy.services import batches
from tests.factories import finance_staff, payable_application
from tests.processes import other_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def submitted_batch():
    applications = [payable_application() for _ in range(3)]
    officer = finance_staff(Role.FINANCE_OFFICER)
    batch = batches.batch_submit(batch=batches.batch_create(by=officer), by=officer)
    return batch, applications


def cut_connection_at(model, transition, nth=1):
    """On the `nth` `transition` of a `model` instance, terminate this session's backend."""
    seen = []

    def receiver(sender, instance, name, **kwargs):
        if sender is model and name == transition:
            seen.append(instance.pk)
            if len(seen) == nth:
                pid = connection.connection.info.backend_pid
                with other_client() as killer:
                    killer.execute("SELECT pg_terminate_backend(%s)", [pid])

    post_transition.connect(receiver, weak=False)
    return receiver


def snapshot(batch, applications):
    batch = Batch.objects.get(pk=batch.pk)
    return {
        "batch": batch.status,
        "lines": sorted(batch.lines.values_list("application_id", "status")),
        "claims": sorted(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("pk", "status")),
        "audit": AuditEntry.objects.count(),
        "reserved": sorted(a.funding_round.reserved_amount for a in applications),
    }


@pytest.mark.parametrize(
    ("model", "transition", "nth"),
    [
        (Application, "schedule_payment", 1),  # after the first claim went into payment
        (Application, "schedule_payment", 3),  # after the last claim
        (Batch, "release", 1),  # after the batch's own transition, just before the commit
    ],
)
def test_a_release_cut_off_by_a_lost_connection_changes_nothing_and_can_be_repeated(
    submitted_batch, model, transition, nth
):
    batch, applications = submitted_batch
    before = snapshot(batch, applications)
    releaser = finance_staff(Role.FINANCE_APPROVER)

    receiver = cut_connection_at(model, transition, nth)
    try:
        with pytest.raises(OperationalError):
            batches.batch_release(batch=batch, by=releaser)
    finally:
        post_transition.disconnect(receiver)
    # The application's next request gets a new connection.
    connections.close_all()

    assert snapshot(batch, applications) == before
    assert before["batch"] == BatchStatus.SUBMITTED
    assert {status for _pk, status in before["claims"]} == {ApplicationStatus.APPROVED}
    assert {status for _pk, status in before["lines"]} == {LineStatus.PENDING}

    released = batches.batch_release(batch=batch, by=releaser)
    assert released.status == BatchStatus.RELEASED
    for application in applications:
        application.refresh_from_db()
        assert application.status == ApplicationStatus.IN_PAYMENT
        rows = AuditEntry.objects.for_object(application).filter(transition="schedule_payment")
        assert rows.count() == 1
    assert AuditEntry.objects.for_object(released).filter(transition="release").count() == 1
    assert AuditEntry.objects.count() == before["audit"] + len(applications) + 1
    assert batches.batch_totals_reconcile(released)
