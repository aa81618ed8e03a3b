"""Reconciliation: the bank's return file applied to an exported batch, each line paid or
failed (or reported, not applied), the batch reconciled when no line is pending; and
whether a batch's lines still add up to what it was released for."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from subsidy.audit import audit_record
from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.exports import bank_returns
from subsidy.exports.rows import ExportInvalid
from subsidy.models import Application, BankReturn, Batch, BatchLine, BatchStatus, LineStatus
from subsidy.models.batches import may_handle_bank_files
from subsidy.notifications import notify_applicant
from subsidy.people import Actor, signed_in
from subsidy.services.batches.errors import ReturnFileUnreadable
from subsidy.services.batches.lifecycle import check_app_transition, lock_batch

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
    *, batch: Batch, data: bytes, filename: str = "", by: Actor | None, ip: str | None = None
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
        imported_by=signed_in(by),
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


def batch_totals_reconcile(batch: Batch) -> bool:
    """Paid + failed + pending lines add up to what the batch was released for."""
    total = batch.lines.exclude(status=LineStatus.CANCELLED).aggregate(t=Sum("amount"))["t"] or Decimal("0.00")
    return bool(total == batch.total_amount)
