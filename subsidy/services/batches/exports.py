"""Exports: a released batch's bank file (CSV, XLSX or pain.001), written, checked and
recorded by its SHA-256; the first export moves the batch to `exported`."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from subsidy.audit import audit_record
from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.exports.csv_file import write_csv
from subsidy.exports.pain001 import validate_pain001, write_pain001
from subsidy.exports.rows import ExportInvalid, batch_header, batch_rows, batch_text_rows
from subsidy.exports.xlsx_file import write_xlsx
from subsidy.models import Batch, BatchExport, BatchStatus, ExportFormat
from subsidy.models.batches import may_handle_bank_files
from subsidy.people import Actor, signed_in
from subsidy.services.batches.errors import ExportRefused
from subsidy.services.batches.lifecycle import check_batch_transition, lock_batch

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PAIN001: "application/xml",
}
EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx", ExportFormat.PAIN001: "xml"}


@dataclass
class ExportedFile:
    """An export, written and checked: `file` is open at its start and already
    unlinked, so it disappears when closed."""

    record: BatchExport
    file: IO[bytes]
    filename: str
    content_type: str

    @property
    def sha256(self) -> str:
        return self.record.sha256


def _sha256(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def write_export(batch: Batch, export_format: str, out: IO[bytes]) -> None:
    """Write one format to `out` (a binary file open for reading and writing) and check
    it; ExportInvalid if wrong."""
    header = batch_header(batch)
    if export_format == ExportFormat.CSV:
        write_csv(batch_text_rows(batch), out)
    elif export_format == ExportFormat.XLSX:
        write_xlsx(header, batch_rows(batch), out)
    elif export_format == ExportFormat.PAIN001:
        write_pain001(header, batch_rows(batch), out)
        out.flush()
        validate_pain001(out)
    else:
        raise ValidationError({"export_format": _("Unknown export format.")})
    out.flush()


@transaction.atomic
def batch_export(*, batch: Batch, export_format: str, by: Actor | None, ip: str | None = None) -> ExportedFile:
    """Write a released batch's bank file, check it, record its SHA-256 and hand it out.
    The first export moves the batch to `exported`; the same batch always gives the
    same bytes, so every later export records the same hash."""
    locked = lock_batch(batch)
    # Who first: someone who may never export is told so, whatever the batch's state.
    if by is not None and not may_handle_bank_files(locked, by):
        raise NotPermitted(_("Only finance staff export batches."))
    if locked.status not in (BatchStatus.RELEASED, BatchStatus.EXPORTED, BatchStatus.RECONCILED):
        raise InvalidState(_("Only a released batch can be exported."))
    # A file without a name (O_TMPFILE on Linux): a process killed mid-export leaves
    # no bank file with account numbers behind in the temporary directory.
    handle = tempfile.TemporaryFile(prefix="batch-", suffix=".export")
    try:
        try:
            write_export(locked, export_format, handle)
        except ExportInvalid as error:
            raise ExportRefused(
                _("The export failed its checks and cannot be downloaded: %(problems)s")
                % {"problems": "; ".join(error.problems[:5])},
                error.problems,
            ) from error
        sha256, size = _sha256(handle)
    except BaseException:
        handle.close()
        raise
    record = BatchExport.objects.create(
        batch=locked, export_format=export_format, sha256=sha256, size=size, exported_by=signed_in(by)
    )
    if locked.status == BatchStatus.RELEASED:
        check_batch_transition(locked, locked.mark_exported, by)
        locked.mark_exported(by=by, export_format=export_format, sha256=sha256, ip=ip)
        locked.save()
    else:
        audit_record(
            subject=locked,
            actor=by,
            action="batch_export",
            from_state=locked.status,
            to_state=locked.status,
            ip=ip,
            changes={"format": export_format, "sha256": sha256},
        )
    return ExportedFile(
        record=record,
        file=handle,
        filename=f"{locked.reference}.{EXTENSIONS[ExportFormat(export_format)]}",
        content_type=CONTENT_TYPES[ExportFormat(export_format)],
    )
