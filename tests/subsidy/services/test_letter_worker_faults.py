"""A task worker (`manage.py db_worker`, a real process) is killed with SIGKILL while
it issues a letter: it has rendered the PDF and stored the file, and is writing the
audit row, when it dies. Nothing of that run may count: after the stalled-letter job
and a worker restart the letter is issued exactly once, with one audit row, and the
stored file is the one whose digest the letter records."""

import datetime as dt
import hashlib
import signal

import pytest
from django_tasks_db.models import DBTaskResult

from subsidy.models import AuditEntry, Letter, LetterStatus, Role
from subsidy.services import reviews
from subsidy.services.letters import letters_requeue_stalled
from tests.factories import awaiting_decision, cleared, staff_member
from tests.processes import (
    backend_gone,
    backend_waiting_on_lock,
    manage,
    manage_env,
    other_client,
    start_manage,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def letter_files(storage):
    return sorted(p for p in (storage / "letters").rglob("*.pdf"))


def test_a_worker_killed_mid_letter_leaves_nothing_and_the_letter_is_issued_once(settings, tmp_path):
    settings.TASKS = DB_QUEUE
    storage = settings.PRIVATE_STORAGE_ROOT
    env = manage_env(storage)
    application, _reviewer = awaiting_decision()
    reviews.application_approve(application=application, by=cleared(application, staff_member(Role.APPROVER)))
    letter = Letter.objects.get(application=application)
    assert letter.status == LetterStatus.PENDING
    assert DBTaskResult.objects.filter(task_path="subsidy.tasks.issue_letter").count() == 1

    # Another client holds the audit table: the worker gets as far as the audit row of
    # the issued letter (PDF rendered, file stored, letter row updated) and waits there.
    blocker, monitor = other_client(autocommit=False), other_client()
    blocker.execute("LOCK TABLE subsidy_auditentry IN SHARE ROW EXCLUSIVE MODE")
    worker = start_manage("db_worker", "--no-reload", "--batch", "--interval", "0.1", env=env)
    try:
        pid = wait_for(
            lambda: backend_waiting_on_lock(monitor, 'INSERT INTO "subsidy_auditentry"%'), "the worker to block"
        )
        assert len(letter_files(storage)) == 1  # the killed run's file is on disk
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()
    # The server notices the dead client once its blocked statement ends; nothing is committed.
    wait_for(lambda: backend_gone(monitor, pid), "the dead worker's backend to end")
    monitor.close()

    letter.refresh_from_db()
    assert letter.status == LetterStatus.PENDING and not letter.sha256 and not letter.file
    assert not AuditEntry.objects.for_object(application).filter(transition="letter_issued").exists()
    # Its task stays claimed ("running") for ever: restarting the worker alone does not help.
    assert DBTaskResult.objects.get(task_path="subsidy.tasks.issue_letter").status == "RUNNING"
    manage("db_worker", "--no-reload", "--batch", "--interval", "0.1", env=env)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.PENDING

    # The quarter-hourly job queues the stalled letter again; the restarted worker issues it.
    assert letters_requeue_stalled(older_than=dt.timedelta(0)) == 1
    manage("db_worker", "--no-reload", "--batch", "--interval", "0.1", env=env)

    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED
    assert Letter.objects.filter(application=application, status=LetterStatus.ISSUED).count() == 1
    assert AuditEntry.objects.for_object(application).filter(transition="letter_issued").count() == 1
    stored = storage / letter.file.name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == letter.sha256
    assert stored.stat().st_size == letter.size
    # The killed run's file was cleared away by the run that issued the letter.
    assert letter_files(storage) == [stored]

    # And a second run of the same task (a duplicate in the queue) changes nothing.
    assert letters_requeue_stalled(older_than=dt.timedelta(0)) == 0
