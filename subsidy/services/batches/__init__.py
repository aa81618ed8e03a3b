"""Disbursement: finance turns approved claims into payments, and reconciles what the
bank did with them. Nothing is paid twice (one live line per claim, a database
constraint), nothing is lost (every line ends paid or failed, failed claims are
approved again), and every step is an audited transition.

`by=None` is the system acting from the command line (as the scheduler does for
lapsing): permissions are then the operator's shell access, and the audit row has
no actor.

- `lifecycle`: build, submit, release, cancel and withdraw a batch; locking a batch,
  checking a batch's or a claim's transition, finding a batch by its reference.
- `exports`: a released batch's bank file, written, checked and recorded.
- `reconciliation`: the bank's return file applied to the batch's claims.
- `errors`: the errors these services raise besides subsidy.exceptions'.

Dependencies point one way: exports and reconciliation use lifecycle and errors, never
the reverse. Callers import from this package; a test that replaces a name replaces it
in the module that looks it up (e.g. `lifecycle.batch_candidates`).
"""

from subsidy.exceptions import InvalidState
from subsidy.services.batches.errors import AlreadyInBatch, ExportRefused, ReturnFileUnreadable
from subsidy.services.batches.exports import (
    CONTENT_TYPES,
    EXTENSIONS,
    ExportedFile,
    batch_export,
    write_export,
)
from subsidy.services.batches.lifecycle import (
    PAYMENT_FACT_LABELS,
    batch_by_reference,
    batch_cancel,
    batch_create,
    batch_release,
    batch_submit,
    batch_withdraw,
    check_app_transition,
    check_batch_transition,
    line_differences,
    lock_batch,
)
from subsidy.services.batches.reconciliation import (
    ALREADY_SETTLED,
    AMOUNT_MISMATCH,
    DUPLICATE_IN_FILE,
    NO_STATUS,
    NOT_FINAL,
    RETURN_DAYS_AFTER_TODAY,
    RETURN_DAYS_BEFORE_RELEASE,
    UNKNOWN_REFERENCE,
    ImportResult,
    batch_import_return,
    batch_totals_reconcile,
    return_date_window,
)

__all__ = [
    "ALREADY_SETTLED",
    "AMOUNT_MISMATCH",
    "CONTENT_TYPES",
    "DUPLICATE_IN_FILE",
    "EXTENSIONS",
    "NOT_FINAL",
    "NO_STATUS",
    "PAYMENT_FACT_LABELS",
    "RETURN_DAYS_AFTER_TODAY",
    "RETURN_DAYS_BEFORE_RELEASE",
    "UNKNOWN_REFERENCE",
    "AlreadyInBatch",
    "ExportRefused",
    "ExportedFile",
    "ImportResult",
    "InvalidState",  # raised by these services; callers have caught it from here
    "ReturnFileUnreadable",
    "batch_by_reference",
    "batch_cancel",
    "batch_create",
    "batch_export",
    "batch_import_return",
    "batch_release",
    "batch_submit",
    "batch_totals_reconcile",
    "batch_withdraw",
    "check_app_transition",
    "check_batch_transition",
    "line_differences",
    "lock_batch",
    "return_date_window",
    "write_export",
]
