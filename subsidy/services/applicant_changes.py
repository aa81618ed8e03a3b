"""Changes to an applicant's identity or bank details after they count (see
subsidy.models.applicant_changes): held, verified by two members of staff, then applied.

Which details are held when is one rule, `held_fields`: identity once any claim of the
applicant was submitted; bank details while a claim is approved or in payment (its payee
was fixed at approval, and a batch pays exactly that).
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from subsidy.audit import CHANGED, audit_record
from subsidy.exceptions import InvalidState
from subsidy.models import Applicant, Application, ApplicationStatus
from subsidy.models.applicant_changes import ApplicantChange, ApplicantChangeStatus
from subsidy.models.applicants import BANK_FIELDS, IDENTITY_FIELDS
from subsidy.notifications import notify_change
from subsidy.people import Actor
from subsidy.services.guards import transition_guard

# While a claim is in one of these, its payee is fixed and bank details are held.
PAYEE_FIXED_STATUSES = [ApplicationStatus.APPROVED, ApplicationStatus.IN_PAYMENT]
HELD_FIELDS = IDENTITY_FIELDS + BANK_FIELDS


def held_fields(applicant: Applicant) -> set[str]:
    """The details of `applicant` that change only through staff verification now."""
    claims = Application.objects.filter(applicant=applicant, submitted_at__isnull=False)
    held: set[str] = set()
    if claims.exists():
        held.update(IDENTITY_FIELDS)
    if claims.filter(status__in=PAYEE_FIXED_STATUSES).exists():
        held.update(BANK_FIELDS)
    return held


def split_change(locked: Applicant, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(details applied now, details held for verification), after checking the whole
    requested state: a held change is checked as carefully as one applied at once. When
    any held detail changes, every identity and bank detail that changes goes with it,
    so that name and account name are verified together."""
    candidate = copy.copy(locked)
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    changed = {name for name in fields if getattr(candidate, name) != getattr(locked, name)}
    held = held_fields(locked) & changed
    if not held:
        return {name: getattr(candidate, name) for name in changed}, {}
    to_verify = {name: getattr(candidate, name) for name in changed if name in HELD_FIELDS}
    now = {name: getattr(candidate, name) for name in changed if name not in HELD_FIELDS}
    return now, to_verify


def change_request(
    *, applicant: Applicant, by: Actor, proposed: dict[str, Any], note: str = "", ip: str | None = None
) -> ApplicantChange:
    """Hold `proposed` for verification (the caller holds the applicant's row lock). A
    newer request replaces one not yet applied."""
    for open_change in ApplicantChange.objects.open().select_for_update().filter(applicant=applicant):
        open_change.supersede(by=by, ip=ip, comment=_("A newer change was sent."))
        open_change.save()
    change = ApplicantChange.objects.create(
        applicant=applicant,
        proposed=proposed,
        previous={name: getattr(applicant, name) for name in proposed},
        note=note,
        requested_by=by,
    )
    audit_record(
        subject=applicant,
        actor=by,
        action="applicant_change_requested",
        ip=ip,
        changes={"change": change.pk, "fields": dict.fromkeys(sorted(proposed), CHANGED)},
    )
    notify_change(change, "held")
    return change


def _lock_change(change: ApplicantChange) -> ApplicantChange:
    return ApplicantChange.objects.select_for_update().select_related("applicant").get(pk=change.pk)


def _check(change: ApplicantChange, method: Any, by: Actor) -> None:
    transition_guard(
        change,
        method,
        by,
        not_now=_("This is not possible while the change is %(status)s.") % {"status": change.get_status_display()},
        not_yours=_("You may not do this for this change."),
    )


@transaction.atomic
def applicant_change_check(
    *, change: ApplicantChange, by: Actor, comment: str = "", ip: str | None = None
) -> ApplicantChange:
    """First pair of eyes: the new details were checked against the evidence."""
    locked = _lock_change(change)
    _check(locked, locked.mark_checked, by)
    locked.mark_checked(by=by, ip=ip, comment=comment)
    locked.save()
    return locked


@transaction.atomic
def applicant_change_confirm(
    *, change: ApplicantChange, by: Actor, comment: str = "", ip: str | None = None
) -> ApplicantChange:
    """Second pair of eyes: the change is applied to the applicant and to the payee of
    every claim that is approved or in payment (a line already released keeps what was
    sent to the bank; a line not yet released no longer matches, and its release is
    refused with the differences). Rows are locked applicant first, then claims by id,
    as approval and release lock them."""
    locked = _lock_change(change)
    _check(locked, locked.confirm, by)
    applicant = Applicant.objects.select_for_update().get(pk=locked.applicant_id)
    for name, value in locked.proposed.items():
        setattr(applicant, name, value)
    try:
        applicant.full_clean()
    except ValidationError as error:
        raise InvalidState(
            _("The change can no longer be applied: %(problems)s. Refuse it and ask the applicant again.")
            % {"problems": "; ".join(error.messages)}
        ) from error
    applicant.save()
    claims = list(
        Application.objects.select_for_update(of=("self",))
        .filter(applicant=applicant, status__in=PAYEE_FIXED_STATUSES)
        .order_by("pk")
    )
    for claim in claims:
        claim.applicant = applicant
        claim.freeze_payee()
    Application.objects.bulk_update(claims, list(Application.PAYEE_FIELDS))
    locked.confirm(by=by, ip=ip, comment=comment)
    locked.save()
    audit_record(
        subject=applicant,
        actor=by,
        action="applicant_change_applied",
        ip=ip,
        changes={
            "change": locked.pk,
            "fields": dict.fromkeys(sorted(locked.proposed), CHANGED),
            "claims_repaid_to_new_payee": [claim.reference for claim in claims],
        },
    )
    notify_change(locked, "applied")
    return locked


@transaction.atomic
def applicant_change_refuse(
    *, change: ApplicantChange, by: Actor, reason: str, ip: str | None = None
) -> ApplicantChange:
    locked = _lock_change(change)
    _check(locked, locked.refuse, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the change is refused; the applicant will read it.")})
    locked.refuse(by=by, ip=ip, comment=reason)
    locked.save()
    notify_change(locked, "refused")
    return locked


def open_change_for(applicant: Applicant) -> ApplicantChange | None:
    return ApplicantChange.objects.open().filter(applicant=applicant).first()


__all__ = [
    "HELD_FIELDS",
    "PAYEE_FIXED_STATUSES",
    "ApplicantChangeStatus",
    "applicant_change_check",
    "applicant_change_confirm",
    "applicant_change_refuse",
    "change_request",
    "held_fields",
    "open_change_for",
    "split_change",
]
