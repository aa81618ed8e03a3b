"""Exports are written synchronously (`manage.py export_batch`, or the finance page's
download), not as a job. A process killed in the middle of an export leaves no partial
record: no export row, no audit row, the batch still released, no bank file (with
account numbers) left in the temporary directory and no truncated file at the target.
Exporting again afterwards works."""

import signal

import pytest

from subsidy.models import AuditEntry, BatchExport, BatchStatus, Role
from subsidy.services import batches
from tests.factories import finance_staff, payable_application
from tests.processes import (
    activity,
    backend_gone,
    backend_waiting_on_lock,
    manage,
    manage_env,
    other_client,
    start_manage,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def released_batch():
    for _ in range(3):
        payable_application()
    officer = finance_staff(Role.FINANCE_OFFICER)
    batch = batches.batch_submit(batch=batches.batch_create(by=officer), by=officer)
    return batches.batch_release(batch=batch, by=finance_staff(Role.FINANCE_APPROVER))


@pytest.mark.parametrize(
    ("locked_table", "blocked_query"),
    [
        # while writing the file: reading the batch's lines
        ("subsidy_batchline", '%SELECT %FROM "subsidy_batchline"%'),
        # the file written and checked, while recording the export
        ("subsidy_batchexport", 'INSERT INTO "subsidy_batchexport"%'),
    ],
)
def test_an_export_killed_midway_leaves_no_record_and_no_file(
    released_batch, settings, tmp_path, locked_table, blocked_query
):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = manage_env(settings.PRIVATE_STORAGE_ROOT, TMPDIR=str(scratch))
    out = tmp_path / "bank.xml"
    audit_before = AuditEntry.objects.count()
    command = ("export_batch", released_batch.reference, "--format", "pain001", "--out", str(out))

    blocker, monitor = other_client(autocommit=False), other_client()
    blocker.execute(f"LOCK TABLE {locked_table} IN ACCESS EXCLUSIVE MODE")
    process = start_manage(*command, env=env)
    try:
        pid = wait_for(lambda: backend_waiting_on_lock(monitor, blocked_query), "the export to block")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    except AssertionError:
        process.kill()
        raise AssertionError(f"{activity(monitor)}\n{process.communicate()[0]}") from None
    finally:
        blocker.rollback()
        blocker.close()
    wait_for(lambda: backend_gone(monitor, pid), "the dead process's backend to end")
    monitor.close()

    released_batch.refresh_from_db()
    assert released_batch.status == BatchStatus.RELEASED
    assert not BatchExport.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    assert list(scratch.iterdir()) == []
    assert not out.exists() and not out.with_name("bank.xml.part").exists()

    done = manage(*command, env=env)
    assert "sha256" in done.stdout
    released_batch.refresh_from_db()
    assert released_batch.status == BatchStatus.EXPORTED
    record = BatchExport.objects.get()
    assert out.stat().st_size == record.size
    assert list(scratch.iterdir()) == []
