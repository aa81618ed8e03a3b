import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from subsidy.models import Application, ApplicationStatus, Role, ScheduledRun
from subsidy.scheduling import JOBS, enqueue_due
from subsidy.tasks import send_review_sla_digest
from tests.factories import UserFactory, in_review, submitted_application, update_claim

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(hour, day=24):
    return dt.datetime(2026, 11, day, hour, 5, tzinfo=SHANGHAI)


def test_each_job_is_enqueued_once_per_period(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = enqueue_due(at(9))
        again = enqueue_due(at(9))
    assert sorted(first) == sorted(job.name for job in JOBS)
    assert again == []
    assert len(callbacks) == len(JOBS)
    # Next hour: the hourly and quarter-hourly jobs again; next day after 8 o'clock: all.
    assert sorted(enqueue_due(at(10))) == [
        "lapse_overdue_applications",
        "requeue_abandoned_tasks",
        "requeue_stalled_letters",
    ]
    assert sorted(enqueue_due(at(9, day=25))) == sorted(job.name for job in JOBS)
    assert ScheduledRun.objects.count() == 2 * len(JOBS) + 3  # two days of every job, one more hour of three


def test_the_daily_digest_waits_for_office_hours():
    assert "review_sla_digest" not in enqueue_due(at(6))
    assert "review_sla_digest" in enqueue_due(at(8))


def test_digest_lists_overdue_claims_to_reviewers():
    reviewer = UserFactory(role=Role.REVIEWER)
    late, _ = in_review()
    on_time = submitted_application()
    update_claim(late, submitted_at=timezone.now() - dt.timedelta(days=30))
    assert send_review_sla_digest.call() == 1
    (message,) = mail.outbox
    assert reviewer.email in message.to
    assert late.reference in message.body
    assert on_time.reference not in message.body


def test_overdue_ignores_claims_waiting_on_the_applicant():
    application = submitted_application()
    update_claim(
        application, submitted_at=timezone.now() - dt.timedelta(days=30), status=ApplicationStatus.INFO_REQUESTED
    )
    assert not Application.objects.overdue(timezone.now()).exists()
