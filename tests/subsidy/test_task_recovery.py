"""A task a killed worker left RUNNING is queued again and then runs (real database
queue, real `db_worker`)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from subsidy.task_recovery import tasks_requeue_abandoned
from subsidy.tasks import send_applicant_email
from tests.factories import submitted_application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def abandon(result_id, minutes_ago):
    """What a worker killed mid-task leaves behind."""
    DBTaskResult.objects.filter(pk=result_id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )


def test_an_abandoned_task_runs_again_and_a_running_one_is_left_alone(database_queue, settings, mailoutbox):
    application = submitted_application()
    mailoutbox.clear()
    abandoned = send_applicant_email.enqueue(application.pk, "approved", "en")
    busy = send_applicant_email.enqueue(application.pk, "rejected", "en")
    abandon(abandoned.id, minutes_ago=settings.TASK_ABANDONED_MINUTES + 5)
    abandon(busy.id, minutes_ago=1)  # still within its time: another worker may be on it

    assert tasks_requeue_abandoned() == 1
    assert tasks_requeue_abandoned() == 0
    call_command("db_worker", "--batch", "--no-reload", "--interval", "0")

    assert DBTaskResult.objects.get(pk=abandoned.id).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=busy.id).status == TaskResultStatus.RUNNING
    # The abandoned email once (and the submission receipt the worker found queued); the
    # busy task's email not at all.
    assert sorted(mail.subject for mail in mailoutbox) == [
        f"Claim {application.reference} approved",
        f"Claim {application.reference} received",
    ]
