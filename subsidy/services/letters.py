"""Decision letters: requested with the decision, issued by the worker, never changed.

`letter_request` runs inside the approve/reject transaction: it takes a snapshot of
what the letter says and queues its generation after commit. `letter_issue` (the
worker) renders the snapshot, stores the PDF and records its SHA-256; running it
twice issues one letter. A correction is a new version that supersedes the old one
when it is issued; an objection that reopens the case revokes the letter.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from subsidy.audit import audit_record
from subsidy.chinese import to_hong_kong_traditional
from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.letters.content import ChainStep, CostRow, LetterContent, mask_account
from subsidy.letters.render import render_letter, sha256_hex
from subsidy.models import (
    ApplicantKind,
    Application,
    ApplicationStatus,
    AuditEntry,
    CostType,
    Letter,
    LetterChinese,
    LetterKind,
    LetterStatus,
    PersonalIdKind,
)
from subsidy.patent_numbers import Office
from subsidy.people import Actor
from subsidy.permissions import roles_manage_letters, user_roles, user_serves_application
from subsidy.selectors import application_amount

KIND_CODES = {LetterKind.APPROVAL: "A", LetterKind.REJECTION: "R"}
DECISION_STATUSES = {
    LetterKind.APPROVAL: [ApplicationStatus.APPROVED, ApplicationStatus.IN_PAYMENT, ApplicationStatus.PAID],
    LetterKind.REJECTION: [ApplicationStatus.REJECTED],
}


def _both(label: Any, chinese: str = LetterChinese.SIMPLIFIED) -> tuple[str, str]:
    with translation.override(chinese):
        chinese = str(label)
    with translation.override("en"):
        english = str(label)
    return chinese, english


def letter_content(
    application: Application,
    *,
    kind: str,
    reference: str,
    version: int,
    token: str,
    supersedes: str = "",
    reason: str = "",
) -> LetterContent:
    """The snapshot of a letter, from the claim as it stands at the decision."""
    applicant = application.applicant
    patent = application.patent
    funding_round = application.funding_round
    # The scheme's own words follow the applicant's choice of Chinese; what people typed
    # (names, titles, reasons) stays as written.
    chinese = applicant.letter_chinese or LetterChinese.SIMPLIFIED
    ours = to_hong_kong_traditional if chinese == LetterChinese.TRADITIONAL else str
    if applicant.kind == ApplicantKind.ORGANISATION:
        id_label: tuple[str, str] = (ours("统一社会信用代码"), "USCC")
        identifier = applicant.uscc
    else:
        id_label = _both(PersonalIdKind(applicant.id_kind).label, chinese)
        identifier = applicant.id_number
    breakdown = application_amount(application)
    recommended = (
        AuditEntry.objects.for_object(application).filter(transition="recommend").order_by("-at", "-id").first()
    )
    decided_on = timezone.localdate(application.decided_at) if application.decided_at else timezone.localdate()
    chain = []
    if recommended is not None:
        chain.append(ChainStep(role_zh=ours("审核人"), role_en="Reviewer", on=timezone.localdate(recommended.at)))
    chain.append(ChainStep(role_zh=ours("审批人"), role_en="Approver", on=decided_on))
    costs = []
    for line in breakdown.lines:
        # The cost type's name in the letter's languages, not the decider's page language.
        label_zh, label_en = _both(CostType(line.cost.cost_type).label, chinese)
        costs.append(
            CostRow(
                label_zh=label_zh,
                label_en=label_en,
                description=line.cost.description,
                paid_on=line.cost.paid_on,
                currency=line.cost.currency,
                amount=line.cost.amount,
                rate_to_cny=line.cost.rate_to_cny,
                amount_cny=line.amount_cny,
                eligible=line.eligible,
            )
        )
    office_label = Office(breakdown.office).label if breakdown.office in Office.values else breakdown.office
    office_zh, office_en = _both(office_label, chinese) if breakdown.is_fixed else ("", "")
    approved = application.approved_amount if application.approved_amount is not None else breakdown.amount
    return LetterContent(
        kind=kind,
        chinese=chinese,
        reference=reference,
        version=version,
        issued_on=decided_on if not supersedes else timezone.localdate(),
        application_reference=application.reference or "",
        applicant_name=applicant.name,
        applicant_name_en=applicant.name_en,
        applicant_id_label_zh=id_label[0],
        applicant_id_label_en=id_label[1],
        applicant_id=identifier,
        patent_number=patent.number if patent else "",
        patent_office=patent.office if patent else "HK",
        patent_title=patent.title_zh if patent else "",
        patent_title_en=patent.title_en if patent else "",
        round_name=funding_round.name,
        scheme_name=ours(funding_round.scheme.name),
        scheme_name_en=funding_round.scheme.name_en,
        verify_url=settings.PUBLIC_BASE_URL + f"/v/{token}",
        costs=tuple(costs),
        eligible_total=breakdown.eligible_total,
        rate=breakdown.rate,
        per_patent_cap=breakdown.per_patent_cap,
        calculated_amount=breakdown.method_amount,
        annual_cap_limit=breakdown.amount if breakdown.capped_by_applicant else None,
        amount_method=breakdown.method,
        office_zh=office_zh,
        office_en=office_en,
        ceiling_limit=breakdown.within_ceiling if breakdown.capped_by_ceiling else None,
        amount=approved if kind == LetterKind.APPROVAL else breakdown.amount,
        adjustment_reason=application.recommendation_reason if approved != breakdown.amount else "",
        chain=tuple(chain),
        bank_name=applicant.bank_name,
        account_masked=mask_account(applicant.bank_account_number),
        notice_ends_on=application.notice_ends_on,
        reasons=application.decision_reason if kind == LetterKind.REJECTION else "",
        supersedes=supersedes,
        correction_reason=reason,
    )


def letter_request(
    *, application: Application, kind: str, by: Actor, supersedes: Letter | None = None, reason: str = ""
) -> Letter:
    """Queue a letter for a decided claim. Call inside the decision's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("letter_request must run inside the decision's transaction")
    if application.status not in DECISION_STATUSES[LetterKind(kind)]:
        raise InvalidState(_("A letter can only be issued for a decided claim."))
    if application.letters.filter(status=LetterStatus.PENDING).exists():
        raise InvalidState(_("A letter for this claim is already being generated."))
    version = (application.letters.filter(kind=kind).aggregate(last=Max("version"))["last"] or 0) + 1
    reference = f"{application.reference}-{KIND_CODES[LetterKind(kind)]}{version}"
    letter = Letter(
        application=application,
        kind=kind,
        version=version,
        reference=reference,
        requested_by=by if by is not None and by.is_authenticated else None,
        supersedes=supersedes,
        correction_reason=reason,
    )
    content = letter_content(
        application,
        kind=kind,
        reference=reference,
        version=version,
        token=letter.token,
        supersedes=supersedes.reference if supersedes else "",
        reason=reason,
    )
    letter.content = content.to_dict()
    letter.save()
    audit_record(
        subject=application,
        actor=by,
        action="letter_requested",
        comment=reason,
        changes={"letter": reference, "supersedes": supersedes.reference if supersedes else None},
    )
    transaction.on_commit(lambda: enqueue_letter(letter.pk))
    return letter


def enqueue_letter(letter_id: int, delay: dt.timedelta | None = None) -> None:
    from subsidy.tasks import issue_letter

    task = issue_letter.using(run_after=timezone.now() + delay) if delay else issue_letter
    task.enqueue(letter_id)


@transaction.atomic
def letter_issue(*, letter_id: int) -> Letter:
    """Render and store a pending letter. Idempotent: a letter that is no longer
    pending (issued by an earlier run, or revoked) is returned unchanged."""
    letter = Letter.objects.select_for_update().select_related("application").get(pk=letter_id)
    if letter.status != LetterStatus.PENDING:
        return letter
    pdf = render_letter(LetterContent.from_dict(letter.content))
    digest = sha256_hex(pdf)
    remove_leftovers(letter)
    # The stored name carries the digest: a retried run never overwrites another's file.
    letter.file.save(f"{letter.application_id}/{letter.reference}-{digest[:12]}.pdf", ContentFile(pdf), save=False)
    for previous in Letter.objects.select_for_update().filter(
        application_id=letter.application_id, status=LetterStatus.ISSUED
    ):
        previous.status = LetterStatus.SUPERSEDED
        previous.save(update_fields=["status"])
        audit_record(
            subject=letter.application,
            actor=None,
            action="letter_superseded",
            from_state=LetterStatus.ISSUED,
            to_state=LetterStatus.SUPERSEDED,
            changes={"letter": previous.reference, "superseded_by": letter.reference},
        )
    letter.status = LetterStatus.ISSUED
    letter.issued_at = timezone.now()
    letter.sha256 = digest
    letter.size = len(pdf)
    letter.save(update_fields=["status", "issued_at", "sha256", "size", "file"])
    audit_record(
        subject=letter.application,
        actor=None,
        action="letter_issued",
        from_state=LetterStatus.PENDING,
        to_state=LetterStatus.ISSUED,
        changes={"letter": letter.reference, "sha256": digest, "size": len(pdf)},
    )
    return letter


def remove_leftovers(letter: Letter) -> int:
    """Delete PDFs that earlier runs of this pending letter stored but never committed
    (a worker killed, or its database connection lost, between storing the file and
    the commit). The caller holds the letter's row lock, and a pending letter has no
    file of its own, so every file named after its reference is such a leftover."""
    storage = letter.file.storage
    directory = posixpath.dirname(letter.file.field.generate_filename(letter, f"{letter.application_id}/x.pdf"))
    try:
        _directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return 0
    leftovers = [name for name in files if name.startswith(f"{letter.reference}-")]
    for name in leftovers:
        storage.delete(posixpath.join(directory, name))
    return len(leftovers)


@transaction.atomic
def letter_record_failure(*, letter_id: int, error: str) -> Letter:
    """A failed generation is counted and shown to staff; it is retried after
    settings.LETTER_RETRY_MINUTES, then waits for staff to retry it."""
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    if letter.status != LetterStatus.PENDING:
        return letter
    letter.attempts += 1
    letter.last_error = error[:2000]
    letter.save(update_fields=["attempts", "last_error"])
    delays = settings.LETTER_RETRY_MINUTES
    if letter.attempts <= len(delays):
        delay = dt.timedelta(minutes=delays[letter.attempts - 1])
        transaction.on_commit(lambda: enqueue_letter(letter.pk, delay))
    return letter


def may_manage_letters(user: Any) -> bool:
    return roles_manage_letters(user_roles(user))


@transaction.atomic
def letter_retry(*, letter: Letter, by: Actor, ip: str | None = None) -> Letter:
    if not may_manage_letters(by):
        raise NotPermitted(_("Only approvers and scheme administrators may retry a letter."))
    letter = Letter.objects.select_for_update().select_related("application").get(pk=letter.pk)
    if not user_serves_application(by, letter.application):
        raise NotPermitted(_("You do not work on this claim's scheme."))
    if letter.status != LetterStatus.PENDING:
        raise InvalidState(_("This letter is not waiting to be generated."))
    audit_record(
        subject=letter.application, actor=by, action="letter_retry", ip=ip, changes={"letter": letter.reference}
    )
    transaction.on_commit(lambda: enqueue_letter(letter.pk))
    return letter


@transaction.atomic
def letter_correct(*, letter: Letter, by: Actor, reason: str, ip: str | None = None) -> Letter:
    """Issue a corrected version from the claim's current data; the old one stays,
    marked superseded once the new one is issued."""
    if not may_manage_letters(by):
        raise NotPermitted(_("Only approvers and scheme administrators may correct a letter."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the correction changes.")})
    letter = Letter.objects.select_for_update().select_related("application").get(pk=letter.pk)
    if not user_serves_application(by, letter.application):
        raise NotPermitted(_("You do not work on this claim's scheme."))
    if letter.status != LetterStatus.ISSUED:
        raise InvalidState(_("Only the letter in force can be corrected."))
    application = Application.objects.select_related("applicant", "patent", "funding_round__scheme").get(
        pk=letter.application_id
    )
    return letter_request(application=application, kind=letter.kind, by=by, supersedes=letter, reason=reason.strip())


def letters_revoke(*, application: Application, by: Actor, reason: str) -> int:
    """The decision was reopened: its letters no longer stand. Inside the reopening transaction."""
    revoked = 0
    for letter in Letter.objects.select_for_update().filter(
        application=application, status__in=[LetterStatus.PENDING, LetterStatus.ISSUED]
    ):
        audit_record(
            subject=application,
            actor=by,
            action="letter_revoked",
            from_state=letter.status,
            to_state=LetterStatus.REVOKED,
            comment=reason,
            changes={"letter": letter.reference},
        )
        letter.status = LetterStatus.REVOKED
        letter.save(update_fields=["status"])
        revoked += 1
    return revoked


def letters_requeue_stalled(*, older_than: dt.timedelta = dt.timedelta(minutes=15)) -> int:
    """Queue again letters still pending long after they were requested (a worker
    stopped mid-way, or a retry that was never run). Issuing is idempotent."""
    cutoff = timezone.now() - older_than
    stalled = list(
        Letter.objects.filter(
            status=LetterStatus.PENDING, requested_at__lt=cutoff, attempts__lte=len(settings.LETTER_RETRY_MINUTES)
        ).values_list("pk", flat=True)
    )
    for letter_id in stalled:
        enqueue_letter(letter_id)
    return len(stalled)
