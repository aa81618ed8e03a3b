from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from html import escape as escape_text
from typing import Any

from django import template
from django.db import models
from django.forms import BoundField, ModelChoiceField
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from subsidy.amounts import to_cents
from subsidy.models import (
    Application,
    ApplicationStatus,
    BatchStatus,
    GuangdongCity,
    LetterStatus,
    LineStatus,
    Role,
)
from subsidy.models.batches import mask_account
from subsidy.personal_data import mask_id_number

register = template.Library()

ACTION_LABELS = {
    "submit": _("Claim submitted"),
    "withdraw": _("Claim withdrawn"),
    "start_review": _("Review started"),
    "request_info": _("More information requested"),
    "resubmit": _("Claim resubmitted"),
    "lapse": _("Claim lapsed"),
    "recommend": _("Recommendation made"),
    "return_to_review": _("Returned to review"),
    "approve": _("Claim approved"),
    "reject": _("Claim rejected"),
    "reopen": _("Reopened after an objection"),
    "conflict_declared": _("Conflict of interest declaration"),
    "checklist": _("Checklist recorded"),
    "task_assigned": _("Task taken"),
    "task_unassigned": _("Task handed back"),
    "task_reassigned": _("Task given to someone else"),
    "reviewer_reassigned": _("Case given to another reviewer"),
    "applicant_create": _("Profile created"),
    "applicant_update": _("Profile changed"),
    "email_language_set": _("Email language changed"),
    "letter_requested": _("Letter requested"),
    "letter_issued": _("Letter issued"),
    "letter_superseded": _("Letter superseded by a correction"),
    "letter_revoked": _("Letter revoked"),
    "letter_retry": _("Letter generation retried"),
    "schedule_payment": _("Payment scheduled"),
    "confirm_paid": _("Subsidy paid"),
    "payment_failed": _("Payment returned by the bank"),
}

BATCH_ACTION_LABELS = {
    "batch_create": _("Batch built"),
    "submit": _("Submitted for release"),
    "release": _("Released"),
    "mark_exported": _("Exported to the bank"),
    "batch_export": _("Exported again"),
    "batch_import_return": _("Bank return file imported"),
    "reconcile": _("Reconciled"),
    "cancel": _("Cancelled"),
    "withdraw": _("Withdrawn after release"),
    "batch_withdraw_lines": _("Unpaid claims approved again"),
}

REPORT_PROBLEMS = {
    "unknown_reference": _("Not in this batch"),
    "amount_mismatch": _("Amount differs"),
    "already_settled": _("Already settled"),
    "duplicate_in_file": _("Twice in the file"),
    "not_final": _("Status not final"),
    "no_status": _("No status for this payment in the file"),
}


@lru_cache(maxsize=64)
def _labels(choices: type[models.TextChoices], language: str) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def _label(choices: type[models.TextChoices], value: str) -> str:
    # Model.get_FOO_display() costs ~0.2 ms a call (it re-hashes the choices);
    # long lists call this instead: one dict per language, built once.
    return _labels(choices, translation.get_language() or "").get(value, value)


@register.filter
def status_label(value: str) -> str:
    """The people's name of a stored status value, in the current language."""
    return _label(ApplicationStatus, value)


SELECTION_TERMS = {
    "scheme": _("scheme %(value)s"),
    "round": _("round %(value)s"),
    "city": _("city %(value)s"),
    "approved>": _("approved on or after %(value)s"),
    "approved<": _("approved on or before %(value)s"),
}


@register.filter
def batch_selection(description: str) -> str:
    """A batch's stored selection ("round=2026-1 city=shenzhen approved>=2026-11-01", the
    words subsidy.services.batches writes) in the reader's language."""
    shown = []
    for term in description.split() if description != "all payable" else ():  # batches built before 2026-12
        key, _sep, value = term.partition("=")
        if key == "city":
            value = city_label(value)
        elif key.startswith("approved"):
            value = date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
        shown.append(str(SELECTION_TERMS[key]) % {"value": value} if key in SELECTION_TERMS else term)
    return "; ".join(shown) or str(_("every payable claim"))


@register.filter
def state_label(value: str, action: str) -> str:
    """A history row's state in the people's words: a letter's rows (issued, revoked …)
    speak of the letter's states, every other row of the claim's."""
    return _label(LetterStatus if action.startswith("letter_") else ApplicationStatus, value)


@register.filter
def city_label(value: str) -> str:
    return _label(GuangdongCity, value)


@register.filter
def role_label(value: str) -> str:
    return _label(Role, value)


@register.filter
def action_label(value: str) -> str:
    return str(ACTION_LABELS.get(value, value))


@register.filter
def overdue_at(application: Application, now: dt.datetime) -> bool:
    return application.is_overdue(now)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


def _choices(form_field: Any) -> Iterable[tuple[Any, Any]]:
    if isinstance(form_field, ModelChoiceField):
        # Django iterates a model choice field with queryset.iterator(): on PostgreSQL a
        # server-side cursor, three round trips (declare, fetch, close) instead of one.
        empty = [("", form_field.empty_label)] if form_field.empty_label is not None else []
        objects = list(form_field.queryset) if form_field.queryset is not None else []
        return empty + [(form_field.prepare_value(obj), form_field.label_from_instance(obj)) for obj in objects]
    choices: Iterable[tuple[Any, Any]] = form_field.choices
    return choices


@register.filter
def quick_select(field: BoundField) -> str:
    """A <select> for a choice field, built in one pass. Django's widget templates
    render one template per option: ~10 ms for the staff filters on every list page.
    Labels are escaped with the standard library's html.escape (what Django's escape()
    runs, without its checks for lazy strings)."""
    current = field.value()
    selected = (
        {str(v) for v in current} if isinstance(current, list | tuple) else {"" if current is None else str(current)}
    )
    options = "".join(
        f'<option value="{escape_text(str(value))}"{" selected" if str(value) in selected else ""}>'
        f"{escape_text(str(label))}</option>"
        for value, label in _choices(field.field)
    )
    name, id_ = escape_text(field.html_name), escape_text(field.id_for_label)
    return mark_safe(f'<select name="{name}" id="{id_}">{options}</select>')  # noqa: S308 (escaped above)


@register.filter
def batch_status_label(value: str) -> str:
    return _label(BatchStatus, value)


@register.filter
def line_status_label(value: str) -> str:
    return _label(LineStatus, value)


@register.filter
def batch_action_label(value: str) -> str:
    return str(BATCH_ACTION_LABELS.get(value, value))


@register.filter
def report_problem_label(value: str) -> str:
    return str(REPORT_PROBLEMS.get(value, value))


@register.filter
def office_label(value: str) -> str:
    """A patent office's name in the page's language, from its code ("US")."""
    from subsidy.patent_numbers import Office

    return _label(Office, value)


@register.filter
def masked_account(value: str) -> str:
    """Account numbers are personal data: lists show the last four digits only."""
    return mask_account(value)


@register.filter
def money(value: Decimal | int | str | None) -> str:
    """An amount with two decimals and thousands grouped the way the page's language
    writes them (subsidy/formats/). Letters use their own fixed form (letter_tags)."""
    if value is None or value == "":
        return ""
    return number_format(to_cents(Decimal(value)), 2, force_grouping=True)


@register.filter
def masked_identifier(applicant: Any) -> str:
    """An organisation's credit code is public; a person's ID number is masked."""
    if applicant.is_organisation:
        return str(applicant.uscc)
    return mask_id_number(applicant.id_number)


@register.filter
def opens_for(doc_type: str, roles: set[str]) -> bool:
    """`{% if d.doc_type|opens_for:request.staff_roles %}`: the document may be opened by
    someone with these roles (one that shows a full ID number only by those who may see it)."""
    from subsidy.personal_data import may_open_document

    return may_open_document(set(roles or ()), doc_type)
