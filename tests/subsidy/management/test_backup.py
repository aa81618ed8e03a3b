"""`manage.py backup` and `manage.py restore` on the suite's throwaway server: a backup
of claims, documents, an issued letter and a batch restores into a fresh database and
a fresh storage directory with the same row counts and the same file checksums; a
damaged backup or a mismatch fails loudly; a non-empty target needs --force."""

import json

import pytest
from django.core.management import CommandError, call_command
from psycopg.conninfo import make_conninfo

from subsidy.backups import Target, row_counts, stored_files
from subsidy.models import Letter, LetterStatus, Role
from subsidy.services import batches, reviews
from tests.factories import awaiting_decision, cleared, finance_staff, payable_application, staff_member
from tests.factories import submitted_application as submitted
from tests.processes import conninfo, other_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_database():
    """An empty database on the same throwaway server, dropped afterwards."""
    names = []

    def make(name):
        with other_client() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return Target(conninfo=make_conninfo(conninfo(), dbname=name))

    yield make
    with other_client() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def world(settings):
    """Claims with their documents, an issued letter and a draft batch."""
    submitted()
    application, _reviewer = awaiting_decision()
    reviews.application_approve(application=application, by=cleared(application, staff_member(Role.APPROVER)))
    assert Letter.objects.get(application=application).status == LetterStatus.ISSUED
    payable_application()
    batches.batch_create(by=finance_staff(Role.FINANCE_OFFICER))
    return settings.PRIVATE_STORAGE_ROOT


def source_counts():
    with other_client() as client:
        return row_counts(client)


def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(world, tmp_path, fresh_database):
    backup = tmp_path / "backup"
    call_command("backup", out=backup)
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["tables"] == source_counts()
    assert manifest["files"]["entries"] == stored_files(world)
    assert any(name.startswith("letters/") for name in manifest["files"]["entries"])
    assert manifest["database"]["tables"]["subsidy_batchline"] == 1

    target, storage = fresh_database("restored_ok"), tmp_path / "restored-files"
    call_command("restore", str(backup), database=target.conninfo, storage=storage)

    with target.connect() as client:
        assert row_counts(client) == source_counts()
    assert stored_files(storage) == stored_files(world)


def test_restore_refuses_a_non_empty_target_unless_forced(world, tmp_path, fresh_database):
    backup = tmp_path / "backup"
    call_command("backup", out=backup)
    target, storage = fresh_database("restored_twice"), tmp_path / "restored-files"
    call_command("restore", str(backup), database=target.conninfo, storage=storage)

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup), database=target.conninfo, storage=storage)
    call_command("restore", str(backup), database=target.conninfo, storage=storage, force=True)
    with target.connect() as client:
        assert row_counts(client) == source_counts()
    assert stored_files(storage) == stored_files(world)
    # The storage's earlier contents were moved aside, not deleted.
    assert len(list(tmp_path.glob("restored-files.before-restore-*"))) == 1


def test_a_damaged_archive_is_refused_before_anything_is_restored(world, tmp_path, fresh_database):
    backup = tmp_path / "backup"
    call_command("backup", out=backup)
    archive = backup / "files.tar"
    data = bytearray(archive.read_bytes())
    data[700] ^= 0xFF
    archive.write_bytes(bytes(data))
    target = fresh_database("restored_damaged")
    with pytest.raises(CommandError, match=r"files.tar: SHA-256 differs"):
        call_command("restore", str(backup), database=target.conninfo, storage=tmp_path / "restored-files")
    with target.connect() as client:
        assert row_counts(client) == {}
    assert not (tmp_path / "restored-files").exists()


def test_a_restore_that_does_not_match_the_manifest_fails_loudly(world, tmp_path, fresh_database):
    """A manifest that says otherwise than what was restored (here edited by hand)."""
    backup = tmp_path / "backup"
    call_command("backup", out=backup)
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["database"]["tables"]["subsidy_letter"] += 1
    name = next(iter(manifest["files"]["entries"]))
    manifest["files"]["entries"][name] = "0" * 64
    (backup / "manifest.json").write_text(json.dumps(manifest))
    target = fresh_database("restored_mismatch")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(backup), database=target.conninfo, storage=tmp_path / "restored-files")
    letters = manifest["database"]["tables"]["subsidy_letter"]
    assert f"table subsidy_letter: {letters - 1} rows, the manifest says {letters}" in str(refused.value)
    assert f"file {name}: SHA-256 differs from the manifest" in str(refused.value)


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", out=tmp_path / "old")
