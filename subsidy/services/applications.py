from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import has_transition_perm

from subsidy import rules
from subsidy.audit import audit_record
from subsidy.claim_changes import claim_changes, claim_snapshot, snapshot_at_request
from subsidy.exceptions import InvalidState, NotEligible, NotPermitted, PatentAlreadyClaimed
from subsidy.models import (
    EDITABLE_STATUSES,
    Applicant,
    Application,
    ApplicationStatus,
    CostItem,
    FundingRound,
    InformationRequest,
    Patent,
    PatentClaim,
    PatentProprietor,
    ReferenceSequence,
)
from subsidy.notifications import notify_applicant, notify_reviewer_of_resubmission
from subsidy.people import Actor
from subsidy.selectors import claim_facts, patent_claimed_elsewhere
from subsidy.services.guards import transition_guard


class PatentFields(TypedDict, total=False):
    office: str
    number: str
    kind: str
    route: str
    designated_office: str
    designated_application_number: str
    priority_office: str
    priority_number: str
    title_zh: str
    title_en: str
    grant_date: Any


class CostItemFields(TypedDict, total=False):
    cost_type: str
    description: str
    amount: Any
    currency: str
    paid_on: Any
    receipt_number: str


def lock_application(application: Application) -> Application:
    """The claim re-read under a row lock: concurrent transitions on one claim queue here."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "funding_round__scheme", "patent")
        .get(pk=application.pk)
    )


def lock_editable(application: Application, by: Actor) -> Application:
    """The claim, row-locked, if `by` may edit it now; else a clear refusal."""
    locked = lock_application(application)
    if not locked.applicant.is_accessible_by(by):
        raise NotPermitted(_("You may not change this application."))
    if locked.status not in EDITABLE_STATUSES:
        raise InvalidState(_("This application has been submitted and can no longer be changed."))
    return locked


@transaction.atomic
def application_create_draft(*, applicant: Applicant, funding_round: FundingRound, by: Actor) -> Application:
    if not applicant.is_accessible_by(by):
        raise NotPermitted(_("You may not file claims for this applicant."))
    if not funding_round.is_open_on(timezone.localdate()):
        raise InvalidState(_("This funding round is not open for claims."))
    return Application.objects.create(applicant=applicant, funding_round=funding_round, created_by=by)


@transaction.atomic
def application_set_patent(
    *, application: Application, by: Actor, fields: PatentFields, proprietors: list[str]
) -> Patent:
    app = lock_editable(application, by)
    patent = app.patent or Patent()
    offices = app.funding_round.scheme.offices
    if "office" not in fields and len(offices) == 1:
        patent.office = offices[0]  # a scheme of one office need not ask
    for name, value in fields.items():
        setattr(patent, name, value)
    if patent.office not in offices:
        raise ValidationError(
            {
                "office": _("This scheme funds patents granted by: %(offices)s.")
                % {"offices": rules.office_names(offices)}
            }
        )
    patent.full_clean()
    names = [n.strip() for n in proprietors if n.strip()]
    if not names:
        raise ValidationError({"proprietors": _("List at least one registered proprietor.")})
    live_claim = PatentClaim.objects.filter(application=app, released_at__isnull=True).first()
    if live_claim is not None and live_claim.patent_key != patent.key:
        raise ValidationError(
            {"number": _("The patent number cannot change after submission; withdraw this claim and file a new one.")}
        )
    if patent_claimed_elsewhere(patent.key, app, scheme_id=app.funding_round.scheme_id):
        raise ValidationError(
            {"number": _("A claim for %(number)s has already been submitted.") % {"number": patent.key}}
        )
    patent.attach_family()
    patent.save()
    patent.proprietors.all().delete()
    PatentProprietor.objects.bulk_create(
        PatentProprietor(patent=patent, position=i, name=name) for i, name in enumerate(names, start=1)
    )
    if app.patent_id != patent.pk:
        app.patent = patent
        app.save(update_fields=["patent", "updated_at"])
    return patent


@transaction.atomic
def application_set_costs(*, application: Application, by: Actor, items: list[CostItemFields]) -> list[CostItem]:
    """Replace the claim's cost items with `items` (all or nothing; at most
    settings.MAX_COST_ITEMS_PER_CLAIM)."""
    app = lock_editable(application, by)
    if len(items) > settings.MAX_COST_ITEMS_PER_CLAIM:
        raise ValidationError(
            _("A claim holds at most %(limit)d cost items; combine receipts of the same kind.")
            % {"limit": settings.MAX_COST_ITEMS_PER_CLAIM},
            code="too_many_cost_items",
        )
    new_items = [CostItem(application=app, **item) for item in items]
    for item in new_items:
        item.full_clean(exclude=["application"])
    app.cost_items.all().delete()
    created = CostItem.objects.bulk_create(new_items)
    app.save(update_fields=["updated_at"])
    return created


@transaction.atomic
def application_set_declarations(
    *,
    application: Application,
    by: Actor,
    true_and_complete: bool,
    no_double_funding: bool,
    consent_to_checks: bool,
    other_public_support: Decimal | None = None,
) -> Application:
    """The declarations; a scheme under the policy ceiling also asks for the public
    support received from outside this system (None: left as it is)."""
    app = lock_editable(application, by)
    app.declare_true_and_complete = true_and_complete
    app.declare_no_double_funding = no_double_funding
    app.declare_consent_to_checks = consent_to_checks
    if other_public_support is not None:
        if other_public_support < 0 or other_public_support != other_public_support.quantize(Decimal("0.01")):
            raise ValidationError(
                {"other_public_support": _("Enter the amount in CNY, 0 or more, with at most two decimals.")}
            )
        app.other_public_support = other_public_support
    app.save(
        update_fields=[
            "declare_true_and_complete",
            "declare_no_double_funding",
            "declare_consent_to_checks",
            "other_public_support",
            "updated_at",
        ]
    )
    return app


def reference_next(*, prefix: str, year: int) -> str:
    """Next PREFIX-YYYY-NNNNNN of a scheme; the counter row is locked until the caller commits."""
    ReferenceSequence.objects.bulk_create([ReferenceSequence(prefix=prefix, year=year)], ignore_conflicts=True)
    counter = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}-{year}-{counter.last_value:06d}"


def check_transition(app: Application, method: Any, by: Actor) -> None:
    """Refuse clearly: 409-like when the state does not allow it, 403-like when the person may not."""
    transition_guard(
        app,
        method,
        by,
        not_now=_("This is not possible while the application is %(status)s.") % {"status": app.get_status_display()},
        not_yours=_("You may not do this for this application."),
    )


def can_withdraw(application: Application, user: Any) -> bool:
    return has_transition_perm(application.withdraw, user)


@transaction.atomic
def application_submit(*, application: Application, by: Actor, ip: str | None = None) -> Application:
    """draft → submitted: every submission rule must pass; the patent is claimed,
    the reference assigned and the amount fixed in the same transaction."""
    app = lock_application(application)
    check_transition(app, app.submit, by)
    facts = claim_facts(app)
    failures = [r for r in rules.evaluate(facts) if not r.passed]
    if failures:
        raise NotEligible(_("The application cannot be submitted yet."), failures)
    if app.patent is None:  # the patent rule has passed, so this cannot happen
        raise InvalidState(_("Enter the Hong Kong patent this claim is for."))
    scheme = app.funding_round.scheme
    try:
        with transaction.atomic():
            PatentClaim.objects.create(scheme=scheme, patent_key=app.patent.key, application=app)
    except IntegrityError as error:
        raise PatentAlreadyClaimed(
            _("A claim for %(number)s has already been submitted; each patent is subsidised once.")
            % {"number": app.patent.key}
        ) from error
    app.submit(
        by=by,
        ip=ip,
        reference=reference_next(prefix=scheme.reference_prefix, year=timezone.localdate().year),
        requested_amount=facts.amount.amount,
    )
    app.language = get_language() or settings.LANGUAGE_CODE
    app.save()
    notify_applicant(app, "submission_receipt")
    return app


@transaction.atomic
def application_email_language_set(
    *, application: Application, by: Actor, language: str, ip: str | None = None
) -> Application:
    """The applicant chooses the language of the emails about their claim (at
    submission it is the language they submitted in)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    app = lock_application(application)
    if not Application.objects.accessible_by(by).filter(pk=app.pk).exists():
        raise NotPermitted(_("You may not change this application."))
    if app.language != language:
        audit_record(
            subject=app, actor=by, action="email_language_set", ip=ip, changes={"language": [app.language, language]}
        )
        app.language = language
        app.save(update_fields=["language", "updated_at"])
    return app


@transaction.atomic
def application_withdraw(
    *, application: Application, by: Actor, ip: str | None = None, comment: str = ""
) -> Application:
    """Withdrawing releases the HK patent for a new claim."""
    app = lock_application(application)
    check_transition(app, app.withdraw, by)
    app.withdraw(by=by, ip=ip, comment=comment)
    app.save()
    PatentClaim.objects.filter(application=app, released_at__isnull=True).update(released_at=timezone.now())
    return app


# The applicant's answer to the reviewer: a few paragraphs, read on the case page and
# in the reviewer's email; anything longer belongs in an uploaded document.
REPLY_MAX_LENGTH = 2000


def clean_reply(reply: str) -> str:
    reply = reply.strip()
    if len(reply) > REPLY_MAX_LENGTH:
        raise ValidationError(
            {
                "reply": _("Keep your answer to at most %(limit)d characters (it has %(count)d).")
                % {"limit": REPLY_MAX_LENGTH, "count": len(reply)}
            }
        )
    if "\x00" in reply:
        raise ValidationError({"reply": _("Null characters are not allowed.")})
    return reply


@transaction.atomic
def application_resubmit(*, application: Application, by: Actor, ip: str | None = None, reply: str = "") -> Application:
    """info_requested → under_review, back to the same reviewer, with the amount recomputed.
    The applicant's `reply` (optional: an uploaded document may be the whole answer) and
    what changed since the request are kept on the resubmission's audit row."""
    app = lock_application(application)
    check_transition(app, app.resubmit, by)
    reply = clean_reply(reply)
    facts = claim_facts(app)
    exempt = rules.rule_set_of(app.funding_round).not_on_resubmission
    failures = [r for r in rules.evaluate(facts) if not r.passed and r.code not in exempt]
    if failures:
        raise NotEligible(_("The application cannot be resubmitted yet."), failures)
    app.requested_amount = facts.amount.amount
    app.language = get_language() or app.language
    before = snapshot_at_request(app)
    since_request = {} if before is None else {"since_request": claim_changes(before, claim_snapshot(app))}
    app.resubmit(by=by, ip=ip, comment=reply, audit_facts=since_request)
    app.save()
    InformationRequest.objects.filter(application=app, answered_at__isnull=True, lapsed_at__isnull=True).update(
        answered_at=timezone.now()
    )
    notify_reviewer_of_resubmission(app)
    return app


def application_send(*, application: Application, by: Actor, ip: str | None = None, reply: str = "") -> Application:
    """The applicant's one "send" button: a draft is submitted, a claim answering an
    information request is resubmitted to its reviewer (with the applicant's `reply`)."""
    if application.status == ApplicationStatus.INFO_REQUESTED:
        return application_resubmit(application=application, by=by, ip=ip, reply=reply)
    return application_submit(application=application, by=by, ip=ip)
