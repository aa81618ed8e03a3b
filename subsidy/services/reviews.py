"""Review and decision: the staff side of the application's state machine.

Every function locks the claim, checks the transition's state and permission,
runs it (which writes the audit row) and defers emails until commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from subsidy import rules
from subsidy.audit import audit_record
from subsidy.calendar import add_working_days
from subsidy.claim_changes import claim_snapshot
from subsidy.exceptions import DomainError, InvalidState, NotPermitted
from subsidy.models import (
    Applicant,
    Application,
    ApplicationStatus,
    ChecklistEntry,
    ConflictDeclaration,
    FundingRound,
    InformationRequest,
    LetterKind,
    PatentFamily,
    Recommendation,
    Role,
)
from subsidy.models.applications import may_review
from subsidy.notifications import notify_applicant
from subsidy.people import Actor, signed_in
from subsidy.permissions import user_administers_scheme, user_has_any_role, user_has_role, user_serves_application
from subsidy.selectors import applicant_committed_amount, application_amount, claim_facts, family_ceiling
from subsidy.services.applications import check_transition, lock_application
from subsidy.services.letters import letter_request, letters_revoke


class BudgetExceeded(DomainError):
    pass


class AnnualCapExceeded(DomainError):
    pass


class CeilingExceeded(DomainError):
    """Public support for the patent family would pass the policy ceiling."""


@transaction.atomic
def conflict_declare(
    *, application: Application, by: Actor, has_conflict: bool, note: str = "", ip: str | None = None
) -> ConflictDeclaration:
    """Record a declaration once; a conflict takes the person off the case for good. Only
    those who review or decide declare (an auditor reads, and writes nothing)."""
    if not user_has_any_role(by, (Role.REVIEWER, Role.APPROVER)):
        raise NotPermitted(_("Only reviewers and approvers declare conflicts of interest on a case."))
    app = lock_application(application)
    if not user_serves_application(by, app):
        raise NotPermitted(_("You do not work on this claim's scheme."))
    declaration, created = ConflictDeclaration.objects.get_or_create(
        application=app, user=by, defaults={"has_conflict": has_conflict, "note": note}
    )
    if not created:
        raise InvalidState(_("You have already made your declaration for this case."))
    changes: dict[str, Any] = {"has_conflict": has_conflict}
    if has_conflict and app.reviewer_id == by.pk:
        app.reviewer = None
        app.save(update_fields=["reviewer", "updated_at"])
        changes["reviewer"] = [by.pk, None]
    audit_record(subject=app, actor=by, action="conflict_declared", comment=note, ip=ip, changes=changes)
    return declaration


@transaction.atomic
def checklist_record(
    *, application: Application, by: Actor, rule_code: str, passed: bool, note: str = "", ip: str | None = None
) -> ChecklistEntry:
    """The reviewer confirms a rule's automatic result, or overrides it with a note."""
    checklist_record_all(application=application, by=by, findings=[(rule_code, passed, note)], ip=ip)
    return ChecklistEntry.objects.get(application=application, rule_code=rule_code)


@transaction.atomic
def checklist_record_all(
    *, application: Application, by: Actor, findings: list[tuple[str, bool, str]], ip: str | None = None
) -> None:
    """Record findings, all or none; one audit row lists what changed. Errors come
    back keyed `<rule>__note`, where the note must explain an override."""
    app = lock_application(application)
    if app.status != ApplicationStatus.UNDER_REVIEW or not may_review(app, by):
        raise NotPermitted(_("Only the case's reviewer records the checklist, while the case is under review."))
    automatic = {r.code: r.passed for r in rules.evaluate(claim_facts(app))}
    errors: dict[str, Any] = {}
    for rule_code, passed, note in findings:
        if rule_code not in automatic:
            errors["rule_code"] = _("Unknown rule.")
        elif passed != automatic[rule_code] and not note.strip():
            errors[f"{rule_code}__note"] = _("Explain why you differ from the automatic check.")
    if errors:
        raise ValidationError(errors)
    recorded = {e.rule_code: e for e in app.checklist.all()}
    changes: dict[str, Any] = {}
    for rule_code, passed, note in findings:
        entry = recorded.get(rule_code)
        if entry is not None and (entry.passed, entry.note) == (passed, note):
            continue
        ChecklistEntry.objects.update_or_create(
            application=app,
            rule_code=rule_code,
            defaults={"automatic_result": automatic[rule_code], "passed": passed, "note": note, "recorded_by": by},
        )
        changes[rule_code] = {"automatic": automatic[rule_code], "finding": passed, "note": note}
    if changes:
        audit_record(subject=app, actor=by, action="checklist", ip=ip, changes=changes)


def checklist_status(application: Application) -> tuple[set[str], set[str]]:
    """(rules without a finding yet, rules the reviewer found failing)."""
    codes = set(rules.rule_set_of(application.funding_round).codes)
    findings = dict(application.checklist.values_list("rule_code", "passed"))
    return codes - set(findings), {code for code, passed in findings.items() if not passed}


@transaction.atomic
def application_start_review(*, application: Application, by: Actor, ip: str | None = None) -> Application:
    app = lock_application(application)
    check_transition(app, app.start_review, by)
    app.start_review(by=by, ip=ip)
    app.save()
    return app


@transaction.atomic
def application_request_info(
    *, application: Application, by: Actor, message: str, deadline: dt.date, ip: str | None = None
) -> InformationRequest:
    app = lock_application(application)
    check_transition(app, app.request_info, by)
    errors = {}
    if not message.strip():
        errors["message"] = _("Say what the applicant must provide.")
    if deadline <= timezone.localdate():
        errors["deadline"] = _("The deadline must be in the future.")
    if errors:
        raise ValidationError(errors)
    request = InformationRequest.objects.create(
        application=app, requested_by=signed_in(by), message=message, deadline=deadline
    )
    # The claim as the reviewer saw it: the resubmission lists what changed since.
    app.request_info(by=by, ip=ip, comment=message, audit_facts={"claim_at_request": claim_snapshot(app)})
    app.save()
    notify_applicant(app, "information_requested")
    return request


@transaction.atomic
def application_recommend(
    *,
    application: Application,
    by: Actor,
    recommendation: str,
    amount: Decimal | None = None,
    reason: str = "",
    ip: str | None = None,
) -> Application:
    """The reviewer's recommendation. An approval may lower the computed amount, with a
    written reason, but never raise it; a rejection needs reasons."""
    app = lock_application(application)
    check_transition(app, app.recommend, by)
    missing, failing = checklist_status(app)
    if missing:
        raise ValidationError(
            _("Record your finding on every rule of the checklist first (%(count)s left).") % {"count": len(missing)}
        )
    if recommendation == Recommendation.APPROVE and failing:
        raise ValidationError({"amount": _("The checklist has failing rules; an approval cannot be recommended.")})
    computed = application_amount(app).amount
    if recommendation == Recommendation.APPROVE:
        if amount is None:
            amount = computed
        if amount <= 0:
            raise ValidationError({"amount": _("An approval needs an amount greater than zero.")})
        if amount > computed:
            raise ValidationError(
                {"amount": _("The amount cannot exceed the computed CNY %(computed)s.") % {"computed": computed}}
            )
        if amount < computed and not reason.strip():
            raise ValidationError({"reason": _("Explain why the amount is lower than the computed one.")})
    elif recommendation == Recommendation.REJECT:
        amount = None
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reasons for rejection.")})
    else:
        raise ValidationError({"recommendation": _("Choose approve or reject.")})
    app.recommend(by=by, recommendation=recommendation, amount=amount, reason=reason, ip=ip, comment=reason)
    app.save()
    return app


@transaction.atomic
def application_return_to_review(
    *, application: Application, by: Actor, comment: str, ip: str | None = None
) -> Application:
    app = lock_application(application)
    check_transition(app, app.return_to_review, by)
    if not comment.strip():
        raise ValidationError({"comment": _("Tell the reviewer what to look at again.")})
    app.return_to_review(by=by, ip=ip, comment=comment)
    app.save()
    return app


@transaction.atomic
def application_approve(
    *, application: Application, by: Actor, comment: str = "", ip: str | None = None
) -> Application:
    """Approve and reserve the amount against the round's budget, the applicant's annual
    cap and, under a scheme that sets one, the policy ceiling of the patent family. Rows
    are locked in a fixed order (claim, round, applicant, family) so that concurrent
    approvals queue instead of overspending, whichever schemes they are under."""
    app = lock_application(application)
    check_transition(app, app.approve, by)
    amount = app.recommended_amount or Decimal("0.00")
    funding_round = FundingRound.objects.select_for_update().get(pk=app.funding_round_id)
    if funding_round.reserved_amount + amount > funding_round.budget:
        raise BudgetExceeded(
            _("The round's remaining budget (CNY %(remaining)s) cannot cover CNY %(amount)s.")
            % {"remaining": funding_round.remaining_budget, "amount": amount}
        )
    applicant = Applicant.objects.select_for_update().get(pk=app.applicant_id)
    today = timezone.localdate()
    committed = applicant_committed_amount(applicant, today.year, scheme_id=funding_round.scheme_id, exclude=app)
    if committed + amount > funding_round.per_applicant_annual_cap:
        raise AnnualCapExceeded(
            _(
                "The applicant has CNY %(committed)s approved this year; "
                "CNY %(amount)s more exceeds the cap of CNY %(cap)s."
            )
            % {"committed": committed, "amount": amount, "cap": funding_round.per_applicant_annual_cap}
        )
    check_family_ceiling(app, amount)
    funding_round.reserved_amount += amount
    funding_round.save(update_fields=["reserved_amount"])
    notice_ends_on = (
        add_working_days(today, funding_round.notice_period_working_days)
        if funding_round.notice_period_working_days
        else None
    )
    app.applicant = applicant  # the payee is frozen from the row locked above
    app.approve(by=by, notice_ends_on=notice_ends_on, ip=ip, comment=comment)
    app.save()
    letter_request(application=app, kind=LetterKind.APPROVAL, by=by)
    notify_applicant(app, "approved")
    return app


def check_family_ceiling(app: Application, amount: Decimal) -> None:
    """Lock the patent family's row, then refuse an amount above what the ceiling leaves:
    two approvals of one family under two schemes wait for each other here."""
    patent = app.patent
    if app.funding_round.scheme.ceiling_share is None or patent is None:
        return
    family = patent.family
    if family is None:  # a patent stored before families: give it one now
        family = patent.attach_family()
        patent.save(update_fields=["family"])
    PatentFamily.objects.select_for_update().get(pk=family.pk)
    ceiling = family_ceiling(app)
    if ceiling is not None and amount > ceiling.left:
        raise CeilingExceeded(
            _(
                "Public support for this patent family may not exceed CNY %(limit)s (%(share)s%% of official fees "
                "of CNY %(fees)s); CNY %(counted)s is already granted or declared, so CNY %(left)s is left and "
                "CNY %(amount)s cannot be approved. Return the case to review to lower the amount."
            )
            % {
                "limit": ceiling.limit,
                "share": (ceiling.share * 100).normalize(),
                "fees": ceiling.official_fees,
                "counted": ceiling.recorded_support + ceiling.declared_support,
                "left": ceiling.left,
                "amount": amount,
            }
        )


@transaction.atomic
def application_reject(*, application: Application, by: Actor, reason: str, ip: str | None = None) -> Application:
    app = lock_application(application)
    check_transition(app, app.reject, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reasons for rejection; the applicant will read them.")})
    app.reject(by=by, ip=ip, comment=reason)
    app.save()
    letter_request(application=app, kind=LetterKind.REJECTION, by=by)
    notify_applicant(app, "rejected")
    return app


@transaction.atomic
def application_record_objection(
    *, application: Application, by: Actor, objection: str, ip: str | None = None
) -> Application:
    """An objection during the public notice reopens the case and releases its reservation."""
    app = lock_application(application)
    check_transition(app, app.reopen, by)
    if not objection.strip():
        raise ValidationError({"objection": _("Record what the objection says.")})
    amount = app.approved_amount or Decimal("0.00")
    funding_round = FundingRound.objects.select_for_update().get(pk=app.funding_round_id)
    funding_round.reserved_amount -= amount
    funding_round.save(update_fields=["reserved_amount"])
    app.reopen(by=by, ip=ip, comment=objection)
    app.save()
    letters_revoke(application=app, by=by, reason=objection)
    return app


REASSIGNABLE_STATUSES = [ApplicationStatus.UNDER_REVIEW, ApplicationStatus.INFO_REQUESTED]


@transaction.atomic
def application_reassign_reviewer(
    *, application: Application, to: Any, by: Actor, reason: str, ip: str | None = None
) -> Application:
    """A scheme administrator moves a case under review to another reviewer (leave,
    workload). Not a state change, but who reviews a case is part of its record."""
    if not user_administers_scheme(by):
        raise NotPermitted(_("Only scheme administrators may reassign a case."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case changes hands.")})
    app = lock_application(application)
    if app.status not in REASSIGNABLE_STATUSES:
        raise InvalidState(_("Only a case under review can be given to another reviewer."))
    if not user_has_role(to, Role.REVIEWER) or to.pk == app.approver_id:
        raise ValidationError({"to": _("Choose a reviewer.")})
    if not user_serves_application(by, app):
        raise NotPermitted(_("You do not work on this claim's scheme."))
    if not user_serves_application(to, app):
        raise ValidationError({"to": _("This reviewer does not work on the claim's scheme.")})
    if app.conflict_declarations.filter(user=to, has_conflict=True).exists():
        raise ValidationError({"to": _("This reviewer has declared a conflict of interest on the case.")})
    previous = app.reviewer
    if previous is not None and previous.pk == to.pk:
        return app
    app.reviewer = to
    app.save(update_fields=["reviewer", "updated_at"])
    audit_record(
        subject=app,
        actor=by,
        action="reviewer_reassigned",
        comment=reason.strip(),
        ip=ip,
        changes={"reviewer_id": [previous.pk if previous else None, to.pk]},
    )
    return app


def applications_lapse_overdue(*, today: dt.date | None = None) -> int:
    """Lapse every claim whose information request is past its deadline. Safe to run
    twice or concurrently: each claim is re-checked under its row lock."""
    today = today or timezone.localdate()
    due = InformationRequest.objects.filter(
        answered_at__isnull=True,
        lapsed_at__isnull=True,
        deadline__lt=today,
        application__status=ApplicationStatus.INFO_REQUESTED,
    ).values_list("application_id", flat=True)
    lapsed = 0
    for application_id in list(due):
        with transaction.atomic():
            app = Application.objects.select_for_update().get(pk=application_id)
            request = app.information_requests.filter(answered_at__isnull=True, lapsed_at__isnull=True).first()
            if app.status != ApplicationStatus.INFO_REQUESTED or request is None or request.deadline >= today:
                continue
            # Written for the applicant, who reads it in their timeline: in their language.
            with translation.override(app.language or settings.LANGUAGE_CODE):
                comment = str(_("No answer by %(deadline)s.") % {"deadline": date_format(request.deadline)})
            app.lapse(comment=comment)
            app.save()
            request.lapsed_at = timezone.now()
            request.save(update_fields=["lapsed_at"])
            lapsed += 1
    return lapsed
