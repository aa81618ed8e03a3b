"""Personal data shown masked by default: identity document numbers and bank account
numbers. Full numbers are shown to the applicant (their own), and to staff only on an
explicit, audited request (subsidy.services.applicants.applicant_reveal)."""

from __future__ import annotations

import logging
import re

# Imported by the logging configuration before Django's apps are ready: no models at
# module level here.


def mask_account(number: str) -> str:
    """Bank account numbers keep their last four digits (as on batch lines and letters)."""
    return f"•••• {number[-4:]}" if number else ""


def mask_id_number(value: str) -> str:
    """A resident ID or residence permit number keeps its region (first six characters,
    which the Guangdong rules look at) and its last two; the birth date and sequence go."""
    if len(value) <= 8:
        return "•" * len(value)
    return value[:6] + "•" * (len(value) - 8) + value[-2:]


# Long runs of digits (bank accounts of 12 to 30 digits, an 18-character ID ending in
# a digit or X), also written in groups of four separated by spaces or dashes. Phone
# numbers (0755-26881234), amounts and dates stay readable.
_LONG_NUMBER = re.compile(r"(?<!\w)(?:\d{11,29}[\dXx]|\d{4}(?:[ -]\d{4}){2,6}(?:[ -]\d{1,4})?)(?!\w)")


def mask_digits(text: str) -> str:
    """Every long number in `text` reduced to its last four characters."""
    return _LONG_NUMBER.sub(lambda m: "•••• " + re.sub(r"[ -]", "", m.group(0))[-4:], text)


class PersonalDataFilter(logging.Filter):
    """Installed on the log handlers (settings.LOGGING): no log line carries a full ID
    or account number, whatever code logged it, its arguments or its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = mask_digits(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_digits(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_digits(record.stack_info)
        return True


def reveal_roles() -> dict[str, set[str]]:
    """Which staff roles may ask for a full number, per field: whoever checks identity
    (review and decision) for ID numbers, whoever pays for account numbers; scheme
    administrators for both. Auditors read the audit rows of who looked, not the numbers."""
    from subsidy.models import Role

    return {
        "id_number": {Role.REVIEWER.value, Role.APPROVER.value, Role.SCHEME_ADMIN.value},
        "bank_account_number": {Role.FINANCE_OFFICER.value, Role.FINANCE_APPROVER.value, Role.SCHEME_ADMIN.value},
    }


def may_reveal(roles: set[str], field: str) -> bool:
    return bool(roles & reveal_roles().get(field, set()))


# Files that show a full number: an identity document shows the person's ID number, and
# a decision letter to an individual prints their resident ID number in full (a letter to
# an organisation prints its USCC, which is public). Staff open these only if their role
# may reveal that number (may_reveal), and every opening is audited like a reveal
# (subsidy.services.applicants.applicant_file_open). Auditors read the audit rows, not
# the files. Other evidence (certificates, receipts, licences) is open to all staff.
FULL_NUMBER_DOCUMENT_TYPES = {"identity": "id_number"}


def document_full_number_field(doc_type: str) -> str | None:
    """Which full number a document of this type shows, if any."""
    return FULL_NUMBER_DOCUMENT_TYPES.get(doc_type)


def may_open_document(roles: set[str], doc_type: str) -> bool:
    """Whether staff with `roles` may open a document of this type (pages hide the links
    the service would refuse)."""
    field = document_full_number_field(doc_type)
    return field is None or may_reveal(roles, field)


def letter_full_number_field(applicant_is_organisation: bool) -> str | None:
    """Which full number a decision letter shows: an individual's ID number."""
    return None if applicant_is_organisation else "id_number"
