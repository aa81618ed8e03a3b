"""Disbursement: finance turns approved claims into payments, and reconciles what the
bank did with them. Nothing is paid twice (one live line per claim, a database
constraint), nothing is lost (every line ends paid or failed, failed claims are
approved again), and every step is an audited transition.

`by=None` is the system acting from the command line (as the scheduler does for
lapsing): permissions are then the operator's shell access, and the audit row has
no actor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from subsidy.audit import audit_record
from subsidy.exceptions import DomainError, InvalidState, NotPermitted
from subsidy.exports import bank_returns
from subsidy.exports.csv_file import write_csv
from subsidy.exports.pain001 import validate_pain001, write_pain001
from subsidy.exports.rows import ExportInvalid, batch_header, batch_rows, batch_text_rows
from subsidy.exports.xlsx_file import write_xlsx
from subsidy.models import (
    Application,
    ApplicationStatus,
    BankReturn,
    Batch,
    BatchExport,
    BatchLine,
    BatchStatus,
    ExportFormat,
    FundingRound,
    LineStatus,
    Role,
)
from subsidy.models.batches import mask_account, may_handle_bank_files
from subsidy.permissions import user_has_role
from subsidy.selectors import batch_candidates, letter_reference_for, open_bank_changes
from subsidy.services.applications import notify_applicant


class AlreadyInBatch(DomainError):
    """Another batch took the claim first."""


class ExportRefused(DomainError):
    def __init__(self, message: Any, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class ReturnFileUnreadable(DomainError):
    def __init__(self, message: Any, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PAIN001: "application/xml",
}
EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx", ExportFormat.PAIN001: "xml"}


def check_batch_transition(batch: Batch, method: Any, by: Any) -> None:
    if not can_proceed(method):
        raise InvalidState(
            _("This is not possible while the batch is %(status)s.") % {"status": batch.get_status_display()}
        )
    if by is not None and not has_transition_perm(method, by):
        raise NotPermitted(_("You may not do this for this batch."))


def lock_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update(of=("self",)).get(pk=batch.pk)


def _snapshot(line: BatchLine, app: Application) -> None:
    """What the line pays: the claim's amount and the payee fixed at its approval (never
    re-read from the applicant's profile), with the approval letter in force."""
    for name, value in _payment_facts(app).items():
        setattr(line, name, value)


def _payment_facts(app: Application) -> dict[str, Any]:
    return {
        "amount": app.approved_amount or Decimal("0.00"),
        "application_reference": app.reference or "",
        "payee_name": app.payee_name,
        "bank_name": app.payee_bank_name,
        "account_number": app.payee_account_number,
        "cnaps_code": app.payee_cnaps_code,
        "letter_reference": letter_reference_for(app),
    }


# What release compares, and how each difference is shown (accounts masked).
PAYMENT_FACT_LABELS = {
    "amount": _("amount"),
    "application_reference": _("claim reference"),
    "payee_name": _("payee account name"),
    "bank_name": _("bank"),
    "account_number": _("account number"),
    "cnaps_code": _("CNAPS code"),
    "letter_reference": _("approval letter"),
}


def line_differences(line: BatchLine, app: Application) -> list[str]:
    """How the claim's payment now differs from what the maker submitted on the line."""
    now = _payment_facts(app)
    shown = []
    for name, label in PAYMENT_FACT_LABELS.items():
        was, is_ = getattr(line, name), now[name]
        if was != is_:
            if name == "account_number":
                was, is_ = mask_account(str(was)), mask_account(str(is_))
            shown.append(f"{label}: {was or '—'} → {is_ or '—'}")
    return shown


def _selection_text(
    funding_round: FundingRound | None, city: str, approved_from: dt.date | None, approved_to: dt.date | None
) -> str:
    parts = []
    if funding_round is not None:
        parts.append(f"round={funding_round.code}")
    if city:
        parts.append(f"city={city}")
    if approved_from is not None:
        parts.append(f"approved>={approved_from:%Y-%m-%d}")
    if approved_to is not None:
        parts.append(f"approved<={approved_to:%Y-%m-%d}")
    return " ".join(parts)  # empty: every payable claim; shown in words by the batch_selection filter


@transaction.atomic
def batch_create(
    *,
    by: Any,
    funding_round: FundingRound | None = None,
    city: str = "",
    approved_from: dt.date | None = None,
    approved_to: dt.date | None = None,
    reference: str = "",
    ip: str | None = None,
) -> Batch:
    """A draft batch of every payable claim matching the filters. The claims are locked
    (in id order, so that concurrent builders queue rather than deadlock) and re-read:
    a claim another batch took meanwhile is left out; should two builders still collide,
    the one-live-line constraint refuses the second."""
    if not user_has_role(by, Role.FINANCE_OFFICER):
        raise NotPermitted(_("Only finance officers build disbursement batches."))
    today = timezone.localdate()
    filters: dict[str, Any] = {
        "funding_round": funding_round,
        "city": city,
        "approved_from": approved_from,
        "approved_to": approved_to,
    }
    ids = list(batch_candidates(today=today, served_by=by, **filters).values_list("pk", flat=True))
    locked = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    applications = list(
        batch_candidates(today=today, served_by=by, **filters)
        .filter(pk__in=locked)
        .select_related("applicant")
        .order_by("reference")
    )
    if not applications:
        raise ValidationError(_("No approved claims ready for payment match this selection."))
    batch = Batch.objects.create(
        reference=reference or f"tmp-{os.urandom(8).hex()}",
        created_by=by,
        description=_selection_text(funding_round, city, approved_from, approved_to),
    )
    if not reference:
        batch.reference = f"PB-{today:%Y%m%d}-{batch.pk:05d}"
    lines = []
    for sequence, app in enumerate(applications, start=1):
        line = BatchLine(batch=batch, sequence=sequence, application=app)
        _snapshot(line, app)
        lines.append(line)
    try:
        with transaction.atomic():
            BatchLine.objects.bulk_create(lines, batch_size=2000)
    except IntegrityError as error:
        raise AlreadyInBatch(
            _("Another batch took some of these claims at the same time; build the batch again.")
        ) from error
    batch.line_count = len(lines)
    batch.total_amount = sum((line.amount for line in lines), Decimal("0.00"))
    batch.save(update_fields=["reference", "line_count", "total_amount"])
    audit_record(
        subject=batch,
        actor=by,
        action="batch_create",
        to_state=BatchStatus.DRAFT,
        ip=ip,
        changes={"selection": batch.description, "lines": batch.line_count, "total": str(batch.total_amount)},
    )
    return batch


@transaction.atomic
def batch_submit(*, batch: Batch, by: Any, ip: str | None = None) -> Batch:
    locked = lock_batch(batch)
    check_batch_transition(locked, locked.submit, by)
    locked.submit(by=by, ip=ip)
    locked.save()
    return locked


@transaction.atomic
def batch_release(*, batch: Batch, by: Any, ip: str | None = None) -> Batch:
    """A second finance person releases the batch as the maker submitted it: every claim
    goes approved → in_payment, all or nothing. If anything a line pays changed since
    (payee, account, amount, letter; a bank change awaiting verification), release is
    refused with the differences, accounts masked: what the checker approves is what the
    bank is asked to pay."""
    locked = lock_batch(batch)
    check_batch_transition(locked, locked.release, by)
    lines = list(locked.lines.filter(status=LineStatus.PENDING).order_by("application_id"))
    applications = {
        app.pk: app
        for app in Application.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .filter(pk__in=[line.application_id for line in lines])
        .order_by("pk")
    }
    held = set(open_bank_changes(applicant_ids={app.applicant_id for app in applications.values()}))
    problems = []
    for line in lines:
        app = applications[line.application_id]
        reference = app.reference or str(app.pk)
        if app.status != ApplicationStatus.APPROVED or not can_proceed(app.schedule_payment):
            problems.append(_("%(claim)s is no longer payable") % {"claim": reference})
        elif app.applicant_id in held:
            problems.append(_("%(claim)s: a change of bank details awaits verification") % {"claim": reference})
        elif not app.has_payee:
            problems.append(_("%(claim)s has no verified bank details") % {"claim": reference})
        else:
            differences = line_differences(line, app)
            if not line.letter_reference and not differences:
                differences = [str(_("the approval letter is still being issued"))]
            if differences:
                problems.append(
                    _("%(claim)s changed since the batch was submitted (%(differences)s)")
                    % {"claim": reference, "differences": "; ".join(str(d) for d in differences)}
                )
    if problems:
        raise InvalidState(
            _("This batch cannot be released as submitted: %(problems)s. Cancel it and build a new one.")
            % {"problems": "; ".join(str(p) for p in problems)}
        )
    # Exactly what the maker submitted and the checker saw is what is paid.
    for line in lines:
        app = applications[line.application_id]
        app.schedule_payment(by=by, batch=locked.reference, ip=ip)
        app.save()
    locked.line_count = len(lines)
    locked.total_amount = sum((line.amount for line in lines), Decimal("0.00"))
    locked.release(by=by, ip=ip)
    locked.save()
    return locked


@transaction.atomic
def batch_cancel(*, batch: Batch, by: Any, reason: str, ip: str | None = None) -> Batch:
    """Before release only: the claims are free for another batch."""
    locked = lock_batch(batch)
    check_batch_transition(locked, locked.cancel, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the batch is cancelled.")})
    locked.lines.filter(status=LineStatus.PENDING).update(status=LineStatus.CANCELLED)
    locked.cancel(by=by, ip=ip, comment=reason)
    locked.save()
    return locked


@transaction.atomic
def batch_withdraw(*, batch: Batch, by: Any, reason: str, file_not_sent: bool = False, ip: str | None = None) -> Batch:
    """Take back a released batch whose bank file cannot be produced or must not be used
    (Batch.withdraw says when this is allowed and why). Every pending line is cancelled
    and its claim goes in_payment → approved (the claim's `payment_failed` transition,
    audited on the claim with the batch and the reason), ready for a new batch. An
    exported batch needs `file_not_sent`: the person confirms that no file of it went
    to the bank, or ever will."""
    locked = lock_batch(batch)
    # Who first: someone who may never withdraw is told so, whatever the batch's state.
    if by is not None and not may_handle_bank_files(locked, by):
        raise NotPermitted(_("Only finance staff withdraw a released batch."))
    check_batch_transition(locked, locked.withdraw, by)
    errors: dict[str, Any] = {}
    if not reason.strip():
        errors["reason"] = _("Say why the batch is withdrawn.")
    if locked.status == BatchStatus.EXPORTED and not file_not_sent:
        errors["file_not_sent"] = _(
            "A bank file of this batch was downloaded: confirm that it was not sent to the bank and will not be."
        )
    if errors:
        raise ValidationError(errors)
    lines = list(locked.lines.filter(status=LineStatus.PENDING).order_by("application_id"))
    applications = {
        app.pk: app
        for app in Application.objects.select_for_update(of=("self",))
        .filter(pk__in=[line.application_id for line in lines])
        .order_by("pk")
    }
    comment = _("Batch %(reference)s withdrawn: %(reason)s") % {"reference": locked.reference, "reason": reason}
    for line in lines:
        app = applications[line.application_id]
        check_app_transition(app, app.payment_failed, by)
        # No failure reason: the bank did not return anything, and the applicant's page
        # must not say it did; the claim's audit row carries the batch and the reason.
        app.payment_failed(by=by, reason="", ip=ip, comment=str(comment)[:2000])
        app.save()
    locked.lines.filter(pk__in=[line.pk for line in lines]).update(status=LineStatus.CANCELLED)
    was = locked.status
    locked.withdraw(by=by, ip=ip, comment=reason)
    locked.save()
    audit_record(
        subject=locked,
        actor=by,
        action="batch_withdraw_lines",
        from_state=BatchStatus.CANCELLED,
        to_state=BatchStatus.CANCELLED,
        ip=ip,
        changes={
            "withdrawn_from": was,
            "lines_cancelled": len(lines),
            "claims_payable_again": sorted(app.reference or str(app.pk) for app in applications.values()),
            "file_not_sent_confirmed": bool(file_not_sent),
        },
    )
    return locked


# --------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------


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
def batch_export(*, batch: Batch, export_format: str, by: Any, ip: str | None = None) -> ExportedFile:
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
        batch=locked, export_format=export_format, sha256=sha256, size=size, exported_by=by
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


# --------------------------------------------------------------------------
# Reconciliation
# --------------------------------------------------------------------------

UNKNOWN_REFERENCE = "unknown_reference"
AMOUNT_MISMATCH = "amount_mismatch"
ALREADY_SETTLED = "already_settled"
DUPLICATE_IN_FILE = "duplicate_in_file"
NOT_FINAL = "not_final"
NO_STATUS = "no_status"
# Payment dates a return file may carry: from the day before the batch was released
# (a bank working in another time zone, or a file dated at midnight) to a few days
# after today (value dates a bank announces ahead). A date outside, such as 0001-01-01
# or 9999-12-31, means the file is wrong: it is refused whole.
RETURN_DAYS_BEFORE_RELEASE = 1
RETURN_DAYS_AFTER_TODAY = 3


def return_date_window(batch: Batch, today: dt.date) -> bank_returns.DateWindow:
    released = timezone.localdate(batch.released_at) if batch.released_at else today
    return bank_returns.DateWindow(
        earliest=released - dt.timedelta(days=RETURN_DAYS_BEFORE_RELEASE),
        latest=today + dt.timedelta(days=RETURN_DAYS_AFTER_TODAY),
    )


@dataclass
class ImportResult:
    bank_return: BankReturn
    repeated: bool = False
    reported: list[dict[str, str]] = field(default_factory=list)

    @property
    def paid(self) -> int:
        return 0 if self.repeated else self.bank_return.paid_count

    @property
    def failed(self) -> int:
        return 0 if self.repeated else self.bank_return.failed_count


@transaction.atomic
def batch_import_return(
    *, batch: Batch, data: bytes, filename: str = "", by: Any, ip: str | None = None
) -> ImportResult:
    """Apply the bank's return file: each settled line becomes paid (in_payment → paid)
    or failed (in_payment → approved, free for a new batch). Unknown references,
    amount mismatches, lines already settled and statuses that are not final are
    reported, not applied. The same file (by SHA-256) is recognised and changes
    nothing the second time. When no line is pending any more, the batch is reconciled."""
    locked = lock_batch(batch)
    if by is not None and not may_handle_bank_files(locked, by):
        raise NotPermitted(_("Only finance staff import bank return files."))
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = BankReturn.objects.filter(batch=locked, sha256=sha256).first()
    if earlier is not None:
        return ImportResult(bank_return=earlier, repeated=True, reported=list(earlier.reported))
    if locked.status not in (BatchStatus.EXPORTED, BatchStatus.RECONCILED):
        raise InvalidState(_("Import the bank's return file after the batch has been exported."))
    try:
        return_file = bank_returns.read_bank_return(data, return_date_window(locked, timezone.localdate()))
    except ExportInvalid as error:
        raise ReturnFileUnreadable(
            _("The return file cannot be read: %(problems)s") % {"problems": "; ".join(error.problems[:5])},
            error.problems,
        ) from error
    if return_file.original_message_id and return_file.original_message_id != locked.reference:
        raise ReturnFileUnreadable(
            _("This status report answers %(other)s, not batch %(reference)s.")
            % {"other": return_file.original_message_id, "reference": locked.reference},
            [],
        )
    _check_original_totals(locked, return_file)
    file_format, items = return_file.file_format, return_file.items
    lines = {line.application_reference: line for line in locked.lines.exclude(status=LineStatus.CANCELLED)}
    if items and not any(item.reference in lines for item in items):
        # Not one payment of this batch: another batch's return, or not a return at all.
        raise ReturnFileUnreadable(
            _("None of the %(count)s payments in this file is in batch %(reference)s: is it another batch's return?")
            % {"count": len(items), "reference": locked.reference},
            [],
        )
    reported: list[dict[str, str]] = []
    to_apply: list[tuple[BatchLine, bank_returns.ReturnItem]] = []
    seen: set[str] = set()
    for item in items:
        line = lines.get(item.reference)
        problem, detail = "", ""
        if item.reference in seen:
            problem = DUPLICATE_IN_FILE
        elif line is None:
            problem = UNKNOWN_REFERENCE
        elif line.status != LineStatus.PENDING:
            problem, detail = ALREADY_SETTLED, line.status
        elif item.outcome == bank_returns.NOT_FINAL:
            problem, detail = NOT_FINAL, item.status_code
        elif item.amount is not None and item.amount != line.amount:
            problem, detail = AMOUNT_MISMATCH, f"{item.amount} ≠ {line.amount}"
        seen.add(item.reference)
        if problem:
            reported.append({"reference": item.reference, "problem": problem, "detail": detail})
        else:
            assert line is not None  # noqa: S101 - narrowed above
            to_apply.append((line, item))
    rest = return_file.rest
    if rest is not None:
        # A status for the whole file or payment block: every pending line it does not
        # list one by one (bank_returns module doc: RJCT fails them, ACSC pays them,
        # PART and accepted-not-settled statuses leave them pending, reported).
        for reference, line in sorted(lines.items(), key=lambda pair: pair[1].sequence):
            if reference in seen or line.status != LineStatus.PENDING:
                continue
            if rest.outcome in (bank_returns.PAID, bank_returns.FAILED):
                to_apply.append(
                    (
                        line,
                        bank_returns.ReturnItem(
                            reference=reference,
                            outcome=rest.outcome,
                            status_code=rest.status_code,
                            reason=rest.reason,
                            paid_on=rest.paid_on,
                        ),
                    )
                )
            else:
                problem = NO_STATUS if rest.outcome == bank_returns.NO_STATUS else NOT_FINAL
                reported.append(
                    {"reference": reference, "problem": problem, "detail": f"{rest.level} {rest.status_code}"}
                )
    applications = {
        app.pk: app
        for app in Application.objects.select_for_update(of=("self",))
        .filter(pk__in=[line.application_id for line, _item in to_apply])
        .order_by("pk")
    }
    now, today = timezone.now(), timezone.localdate()
    paid = failed = 0
    for line, item in to_apply:
        app = applications[line.application_id]
        line.settled_at = now
        line.bank_reference = item.bank_reference[:35]
        if item.outcome == bank_returns.PAID:
            method = app.confirm_paid
            check_app_transition(app, method, by)
            line.status, line.paid_on = LineStatus.PAID, item.paid_on or today
            app.confirm_paid(
                by=by, paid_on=line.paid_on, bank_reference=line.bank_reference, ip=ip, comment=locked.reference
            )
            paid += 1
            notify_applicant(app, "paid")
        else:
            check_app_transition(app, app.payment_failed, by)
            line.status, line.failure_reason = LineStatus.FAILED, (item.reason or item.status_code)[:300]
            app.payment_failed(by=by, reason=line.failure_reason, ip=ip, comment=line.failure_reason)
            failed += 1
            notify_applicant(app, "payment_returned")
        app.save()
    BatchLine.objects.bulk_update(
        [line for line, _item in to_apply],
        ["status", "paid_on", "bank_reference", "failure_reason", "settled_at"],
        batch_size=2000,
    )
    bank_return = BankReturn.objects.create(
        batch=locked,
        sha256=sha256,
        filename=filename[:200],
        file_format=file_format,
        paid_count=paid,
        failed_count=failed,
        reported=reported,
        imported_by=by,
    )
    audit_record(
        subject=locked,
        actor=by,
        action="batch_import_return",
        from_state=locked.status,
        to_state=locked.status,
        ip=ip,
        changes={
            "file": filename,
            "sha256": sha256,
            "format": file_format,
            "paid": paid,
            "failed": failed,
            "reported": len(reported),
        },
    )
    if locked.status == BatchStatus.EXPORTED and can_proceed(locked.reconcile):
        locked.reconcile(by=by, ip=ip)
        locked.save()
    return ImportResult(bank_return=bank_return, reported=reported)


def _check_original_totals(batch: Batch, return_file: bank_returns.ReturnFile) -> None:
    """A status for the whole file or payment block is applied to every line only if the
    original file's count and control sum, where the report states them, are this
    batch's. (Payments listed one by one are matched by end-to-end id and amount.)"""
    rest = return_file.rest
    if rest is None or rest.outcome not in (bank_returns.PAID, bank_returns.FAILED):
        return
    problems = []
    if return_file.original_count is not None and return_file.original_count != batch.line_count:
        problems.append(
            _("The report says the original file had %(count)s payments; the batch has %(lines)s.")
            % {"count": return_file.original_count, "lines": batch.line_count}
        )
    if return_file.original_sum is not None and return_file.original_sum != batch.total_amount:
        problems.append(
            _("The report says the original file came to %(sum)s; the batch comes to %(total)s.")
            % {"sum": return_file.original_sum, "total": batch.total_amount}
        )
    if problems:
        raise ReturnFileUnreadable(
            _("The return file cannot be read: %(problems)s") % {"problems": "; ".join(problems)}, problems
        )


def check_app_transition(app: Application, method: Any, by: Any) -> None:
    if not can_proceed(method):
        raise InvalidState(_("Claim %(reference)s is not in payment.") % {"reference": app.reference})
    if by is not None and not has_transition_perm(method, by):
        raise NotPermitted(_("You may not record payments."))


def batch_totals_reconcile(batch: Batch) -> bool:
    """Paid + failed + pending lines add up to what the batch was released for."""
    total = batch.lines.exclude(status=LineStatus.CANCELLED).aggregate(t=Sum("amount"))["t"] or Decimal("0.00")
    return bool(total == batch.total_amount)


def batch_by_reference(reference: str) -> Batch:
    try:
        return Batch.objects.get(reference=reference)
    except Batch.DoesNotExist as error:
        raise InvalidState(_("No batch has the reference %(reference)s.") % {"reference": reference}) from error
