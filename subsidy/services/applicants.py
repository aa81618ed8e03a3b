from __future__ import annotations

from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from subsidy.audit import CHANGED, audit_record, diff, field_values
from subsidy.exceptions import NotPermitted
from subsidy.models import AccessRole, Applicant, ApplicantAccess, BatchLine, Role
from subsidy.models.applicants import IDENTIFIER_TAKEN
from subsidy.people import Actor, signed_in
from subsidy.permissions import may_not_act_for_applicants, user_has_role, user_roles
from subsidy.personal_data import may_reveal
from subsidy.services.applicant_changes import change_request, split_change

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
def applicant_create(*, by: Actor, fields: ApplicantFields, ip: str | None = None) -> Applicant:
    """Create an applicant profile and give the creating account access to it
    (as the applicant itself, or as its authorised agency)."""
    if may_not_act_for_applicants(by):
        raise NotPermitted(
            _("Staff accounts cannot act for applicants. Someone on staff who applies uses a separate account.")
        )
    applicant = Applicant(**fields)
    applicant.full_clean()
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError as error:  # registered by someone else at the same moment
        raise ValidationError({"uscc" if applicant.uscc else "id_number": IDENTIFIER_TAKEN}) from error
    role = AccessRole.AGENT if user_has_role(by, Role.AGENT) else AccessRole.OWNER
    ApplicantAccess.objects.create(user=signed_in(by), applicant=applicant, role=role)
    audit_record(subject=applicant, actor=by, action="applicant_create", ip=ip)
    return applicant


@transaction.atomic
def applicant_update(
    *, applicant: Applicant, by: Actor, fields: ApplicantFields, note: str = "", ip: str | None = None
) -> Applicant:
    """Apply the applicant's edit. Identity and bank details that already count (see
    subsidy.services.applicant_changes.held_fields) are not changed here: they are held
    as an ApplicantChange for two members of staff to verify, and the applicant is told."""
    locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if not locked.is_accessible_by(by):
        raise NotPermitted(_("You may not change this applicant."))
    now, to_verify = split_change(locked, dict(fields))
    before = field_values(locked)
    for name, value in now.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    changes = diff(before, field_values(locked))
    changes.pop("updated_at", None)
    if changes:
        audit_record(
            subject=locked,
            actor=by,
            action="applicant_update",
            ip=ip,
            # Record that sensitive details changed, never their values.
            changes={k: (CHANGED if k in SENSITIVE_FIELDS else v) for k, v in changes.items()},
        )
    if to_verify:
        change_request(applicant=locked, by=by, proposed=to_verify, note=note, ip=ip)
    return locked


REVEALABLE_FIELDS = ("id_number", "bank_account_number")


@transaction.atomic
def applicant_reveal(
    *,
    applicant: Applicant,
    field: str,
    by: Actor,
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


@transaction.atomic
def applicant_file_open(
    *, application: Any, by: Actor, document: Any = None, letter: Any = None, ip: str | None = None
) -> None:
    """A member of staff opens one of a claim's files (a `document` or a decision
    `letter`). One that shows a full number (subsidy.personal_data: identity documents,
    letters to individuals) is opened only by a role that may reveal that number, and
    each opening appends a `personal_data_viewed` audit row on the applicant, like
    applicant_reveal: who, when, from where, which case and file; never the number."""
    from subsidy.personal_data import document_full_number_field, letter_full_number_field

    if document is not None:
        field, file_key, file_pk = document_full_number_field(document.doc_type), "document", document.pk
    else:
        applicant_is_organisation = application.applicant.is_organisation
        field, file_key, file_pk = letter_full_number_field(applicant_is_organisation), "letter", letter.pk
    if field is None:
        return
    if not may_reveal(user_roles(by), field):
        raise NotPermitted(_("Your role does not need the full numbers this file shows."))
    audit_record(
        subject=application.applicant,
        actor=by,
        action="personal_data_viewed",
        ip=ip,
        comment=application.reference or str(application.pk),
        changes={"field": field, file_key: file_pk},
    )
