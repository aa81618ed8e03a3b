from __future__ import annotations

from typing import Any, TypedDict

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from subsidy.audit import CHANGED, audit_record, diff, field_values
from subsidy.exceptions import NotPermitted
from subsidy.models import AccessRole, Applicant, ApplicantAccess, BatchLine, Role
from subsidy.permissions import user_has_role, user_roles
from subsidy.personal_data import may_reveal

# Changing where the money goes is audited like a transition.
SENSITIVE_FIELDS = ("bank_account_name", "bank_name", "bank_account_number", "cnaps_code", "uscc", "id_number")


class ApplicantFields(TypedDict, total=False):
    kind: str
    name: str
    name_en: str
    uscc: str
    id_kind: str
    id_number: str
    city: str
    address: str
    contact_person: str
    phone: str
    email: str
    bank_account_name: str
    bank_name: str
    bank_account_number: str
    cnaps_code: str
    letter_chinese: str


@transaction.atomic
def applicant_create(*, by: Any, fields: ApplicantFields, ip: str | None = None) -> Applicant:
    """Create an applicant profile and give the creating account access to it
    (as the applicant itself, or as its authorised agency)."""
    applicant = Applicant(**fields)
    applicant.full_clean()
    applicant.save()
    role = AccessRole.AGENT if user_has_role(by, Role.AGENT) else AccessRole.OWNER
    ApplicantAccess.objects.create(user=by, applicant=applicant, role=role)
    audit_record(subject=applicant, actor=by, action="applicant_create", ip=ip)
    return applicant


@transaction.atomic
def applicant_update(*, applicant: Applicant, by: Any, fields: ApplicantFields, ip: str | None = None) -> Applicant:
    locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if not locked.is_accessible_by(by):
        raise NotPermitted(_("You may not change this applicant."))
    before = field_values(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    changes = diff(before, field_values(locked))
    changes.pop("updated_at", None)
    if changes:
        sensitive = {k: v for k, v in changes.items() if k in SENSITIVE_FIELDS}
        audit_record(
            subject=locked,
            actor=by,
            action="applicant_update",
            ip=ip,
            # Record that sensitive details changed, never their values.
            changes={k: v for k, v in changes.items() if k not in SENSITIVE_FIELDS} | dict.fromkeys(sensitive, CHANGED),
        )
    return locked


REVEALABLE_FIELDS = ("id_number", "bank_account_number")


@transaction.atomic
def applicant_reveal(
    *,
    applicant: Applicant,
    field: str,
    by: Any,
    context: str,
    line: BatchLine | None = None,
    ip: str | None = None,
) -> str:
    """The full value of one masked field (from the applicant, or the account number a
    batch `line` pays to), for a member of staff whose role needs it. Every reveal
    appends an audit row on the applicant: who looked at whose number, when, from
    where, and on which case or batch line (`context`); never the value itself."""
    if field not in REVEALABLE_FIELDS or (line is not None and field != "bank_account_number"):
        raise NotPermitted(_("This detail cannot be shown."))
    if not may_reveal(user_roles(by), field):
        raise NotPermitted(_("Your role does not need this full number."))
    audit_record(
        subject=applicant,
        actor=by,
        action="personal_data_viewed",
        ip=ip,
        comment=context,
        changes={"field": field, "batch_line": line.pk if line is not None else None},
    )
    return line.account_number if line is not None else str(getattr(applicant, field))
