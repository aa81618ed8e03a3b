"""A batch from build to release, and its way back: build a draft of the payable claims
(batch_create), submit it (batch_submit), release it as submitted (batch_release,
maker-checker), cancel it before release (batch_cancel) or withdraw it after
(batch_withdraw). Also what exports and reconciliation share: locking a batch, checking
a batch's or a claim's transition, and finding a batch by its reference.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from subsidy.audit import audit_record
from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.models import (
    Application,
    ApplicationStatus,
    Batch,
    BatchLine,
    BatchStatus,
    FundingRound,
    LineStatus,
    Role,
    Scheme,
)
from subsidy.models.batches import mask_account, may_handle_bank_files
from subsidy.people import Actor
from subsidy.permissions import user_has_role
from subsidy.selectors import batch_candidates, letter_reference_for, open_bank_changes
from subsidy.services.batches.errors import AlreadyInBatch
from subsidy.services.guards import transition_guard


def check_batch_transition(batch: Batch, method: Any, by: Actor | None) -> None:
    transition_guard(
        batch,
        method,
        by,
        not_now=_("This is not possible while the batch is %(status)s.") % {"status": batch.get_status_display()},
        not_yours=_("You may not do this for this batch."),
        system=True,
    )


def lock_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update(of=("self",)).get(pk=batch.pk)


def batch_by_reference(reference: str) -> Batch:
    try:
        return Batch.objects.get(reference=reference)
    except Batch.DoesNotExist as error:
        raise InvalidState(_("No batch has the reference %(reference)s.") % {"reference": reference}) from error


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
    scheme: Scheme | None,
    funding_round: FundingRound | None,
    city: str,
    approved_from: dt.date | None,
    approved_to: dt.date | None,
) -> str:
    parts = []
    if scheme is not None:
        parts.append(f"scheme={scheme.code}")
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
    by: Actor,
    scheme: Scheme | None = None,
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
        "scheme": scheme,
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
        description=_selection_text(scheme, funding_round, city, approved_from, approved_to),
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
def batch_submit(*, batch: Batch, by: Actor, ip: str | None = None) -> Batch:
    locked = lock_batch(batch)
    check_batch_transition(locked, locked.submit, by)
    locked.submit(by=by, ip=ip)
    locked.save()
    return locked


@transaction.atomic
def batch_release(*, batch: Batch, by: Actor, ip: str | None = None) -> Batch:
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
def batch_cancel(*, batch: Batch, by: Actor, reason: str, ip: str | None = None) -> Batch:
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
def batch_withdraw(
    *, batch: Batch, by: Actor, reason: str, file_not_sent: bool = False, ip: str | None = None
) -> Batch:
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


def check_app_transition(app: Application, method: Any, by: Actor | None) -> None:
    transition_guard(
        app,
        method,
        by,
        not_now=_("Claim %(reference)s is not in payment.") % {"reference": app.reference},
        not_yours=_("You may not record payments."),
        system=True,
    )
