"""The staff queue's read model (workflows.queue_entries) follows tasks, claims and
applicants inside their transactions, and can be checked and rebuilt."""

import importlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from viewflow.workflow.status import STATUS

from subsidy.models import ApplicationStatus, Role
from subsidy.scheduling import JOBS
from subsidy.services import applications as applicant_side
from subsidy.services import reviews
from tests.factories import awaiting_decision, in_review, staff_member, submitted_application, update_claim
from workflows.models import QueueEntry
from workflows.queue_entries import queue_entries_refresh, queue_entries_stale, waiting_tasks
from workflows.services import task_hand_back, task_take
from workflows.tasks import reconcile_queue

pytestmark = pytest.mark.django_db


def entry_of(application):
    entries = list(QueueEntry.objects.filter(application=application))
    assert len(entries) <= 1, entries
    return entries[0] if entries else None


def test_a_submitted_claim_waits_with_its_columns():
    application = submitted_application()
    entry = entry_of(application)
    assert entry is not None and entry.node == "review"
    assert (
        entry.reference,
        entry.applicant_name,
        entry.status,
        entry.city,
        entry.funding_round_id,
        entry.reviewer_id,
        entry.submitted_at,
    ) == (
        application.reference,
        application.applicant.name,
        ApplicationStatus.SUBMITTED,
        application.applicant.city,
        application.funding_round_id,
        None,
        application.submitted_at,
    )
    assert entry.task_id == waiting_tasks().get().pk


def test_taking_a_task_takes_it_out_and_handing_it_back_puts_it_back():
    application = submitted_application()
    reviewer = staff_member(Role.REVIEWER)
    task = waiting_tasks().get()
    task_take(task=task, by=reviewer)
    assert entry_of(application) is None
    task.refresh_from_db()
    task_hand_back(task=task, by=reviewer)
    assert entry_of(application).task_id == task.pk


def test_a_recommendation_moves_the_claim_to_the_approvers_queue_with_its_reviewer():
    application, reviewer = awaiting_decision()
    entry = entry_of(application)
    assert entry.node == "decide"
    assert (entry.status, entry.reviewer_id) == (ApplicationStatus.AWAITING_DECISION, reviewer.pk)


def test_a_claim_in_a_reviewers_hands_or_withdrawn_is_not_waiting():
    taken, _ = in_review()
    assert entry_of(taken) is None
    withdrawn = submitted_application()
    applicant_side.application_withdraw(application=withdrawn, by=withdrawn.created_by, comment="changed our mind")
    assert entry_of(withdrawn) is None


def test_an_applicants_new_name_and_city_reach_their_waiting_claims():
    application = submitted_application()
    applicant = application.applicant
    applicant.city = "zhuhai" if applicant.city != "zhuhai" else "foshan"
    applicant.name = "广东新名字科技有限公司"
    applicant.save()
    entry = entry_of(application)
    assert (entry.city, entry.applicant_name) == (applicant.city, "广东新名字科技有限公司")
    applicant.name = "只改名字有限公司"
    applicant.save(update_fields=["name"])
    assert entry_of(application).applicant_name == "只改名字有限公司"


def test_a_decision_leaves_nothing_of_the_case_waiting():
    application, _ = awaiting_decision()
    approver = staff_member(Role.APPROVER)
    reviews.conflict_declare(application=application, by=approver, has_conflict=False)
    reviews.application_approve(application=application, by=approver)
    assert entry_of(application) is None
    assert waiting_tasks().count() == 0
    assert QueueEntry.objects.count() == 0


def test_stale_rows_are_reported_and_the_rebuild_sets_them_right(capsys):
    fresh = submitted_application()
    old = submitted_application()
    QueueEntry.objects.filter(application=fresh).update(city="nowhere")
    QueueEntry.objects.filter(application=old).delete()
    assert len(queue_entries_stale()) == 3  # a wrong row counts twice: stored, and missing as it should be
    with pytest.raises(CommandError, match="3 rows"):
        call_command("queue_rebuild", "--check")
    call_command("queue_rebuild")
    assert "2 waiting tasks (3 rows corrected)" in capsys.readouterr().out
    assert queue_entries_stale() == []
    call_command("queue_rebuild", "--check")


def test_a_write_past_save_is_set_right_by_a_refresh_of_its_claims():
    application = submitted_application()
    update_claim(application, status=ApplicationStatus.UNDER_REVIEW)  # refreshes, as every such write must
    assert entry_of(application).status == ApplicationStatus.UNDER_REVIEW
    queue_entries_refresh(application_ids=[application.pk])
    assert queue_entries_stale() == []


def test_the_migration_fills_the_table_from_tasks_already_waiting():
    """The SQL the migration runs on an existing database gives the same rows as the code."""
    waiting_review = submitted_application()
    waiting_decision, _ = awaiting_decision()
    in_review()  # taken: not waiting
    QueueEntry.objects.all().delete()
    migration = importlib.import_module("workflows.migrations.0002_queue_entry")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert {(e.application_id, e.node) for e in QueueEntry.objects.all()} == {
        (waiting_review.pk, "review"),
        (waiting_decision.pk, "decide"),
    }
    assert queue_entries_stale() == []


def test_only_open_unassigned_human_tasks_wait():
    submitted_application()
    assert {task.status for task in waiting_tasks()} == {STATUS.NEW}
    assert all(task.owner_id is None and task.flow_task_type == "HUMAN" for task in waiting_tasks())


def test_the_daily_job_sets_right_only_the_claims_out_of_step():
    in_step, out_of_step = submitted_application(), submitted_application()
    QueueEntry.objects.filter(application=out_of_step).update(status=ApplicationStatus.APPROVED)
    untouched = entry_of(in_step)
    assert "reconcile_queue" in {job.name for job in JOBS}
    assert reconcile_queue.call() == 1
    assert queue_entries_stale() == []
    assert entry_of(in_step) == untouched
    assert reconcile_queue.call() == 0


def test_an_applicant_saved_without_name_or_city_leaves_the_entries_alone(django_assert_num_queries):
    application = submitted_application()
    applicant = application.applicant
    with django_assert_num_queries(1):  # the applicant's own UPDATE only
        applicant.save(update_fields=["phone"])
    with django_assert_num_queries(1):  # the claim's own UPDATE only
        application.save(update_fields=["requested_amount"])
