"""The operations command line on the demo data: DEMO-BATCH-1 exported and reconciled."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from subsidy.demo import load_demo
from subsidy.demo_data import DEMO_BATCH
from subsidy.exports.pain001 import validate_pain001
from subsidy.models import Application, ApplicationStatus, AuditEntry, Batch, BatchExport, BatchStatus
from tests.subsidy.exports.bank_files import craft_pain002, pain001_transactions

pytestmark = pytest.mark.django_db


def test_demo_data_has_a_released_batch():
    load_demo()
    batch = Batch.objects.get(reference=DEMO_BATCH)
    assert batch.status == BatchStatus.RELEASED
    assert batch.line_count == 4  # three claims approved three weeks ago, one the bank returned last month
    assert {line.application.status for line in batch.lines.select_related("application")} == {
        ApplicationStatus.IN_PAYMENT
    }
    assert batch.released_by != batch.submitted_by


def test_export_and_import_from_the_command_line(tmp_path, capsys):
    load_demo()
    out = tmp_path / "demo.xml"
    call_command("export_batch", DEMO_BATCH, "--format", "pain001", "--out", str(out))
    data = out.read_bytes()
    validate_pain001(out)
    record = BatchExport.objects.get(batch__reference=DEMO_BATCH)
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.sha256 in capsys.readouterr().out
    assert AuditEntry.objects.filter(transition="mark_exported", actor__isnull=True).count() == 1

    sent = pain001_transactions(data)
    report = tmp_path / "pain002.xml"
    today = Batch.objects.get(reference=DEMO_BATCH).released_at.date()
    report.write_bytes(craft_pain002(DEMO_BATCH, [(ref, amount, "ACSC") for ref, amount in sent], on=today))
    paid_before = Application.objects.filter(status=ApplicationStatus.PAID).count()
    call_command("import_bank_return", DEMO_BATCH, str(report))
    assert "paid 4, failed 0" in capsys.readouterr().out
    assert Batch.objects.get(reference=DEMO_BATCH).status == BatchStatus.RECONCILED
    assert Application.objects.filter(status=ApplicationStatus.PAID).count() == paid_before + 4

    call_command("import_bank_return", DEMO_BATCH, str(report))
    assert "nothing changed" in capsys.readouterr().out


def test_command_errors_are_clear(tmp_path):
    with pytest.raises(CommandError, match="NOPE"):
        call_command("export_batch", "NOPE", "--format", "csv", "--out", str(tmp_path / "x.csv"))


def test_an_unreadable_return_file_is_a_clear_command_error(tmp_path):
    load_demo()
    batch = Batch.objects.get(reference=DEMO_BATCH)
    call_command("export_batch", DEMO_BATCH, "--format", "xlsx", "--out", str(tmp_path / "b.xlsx"))
    for name, data in [("b.xlsx", None), ("noise.bin", bytes(range(256))), ("empty.csv", b"")]:
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(CommandError, match="cannot be read"):
            call_command("import_bank_return", DEMO_BATCH, str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_bank_return", DEMO_BATCH, str(tmp_path / "missing.xml"))
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED
    assert not batch.bank_returns.exists()
