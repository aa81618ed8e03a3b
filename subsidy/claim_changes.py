"""What changed in a claim while its applicant answered an information request.

When a reviewer asks for more information, `claim_snapshot` records the claim's
reviewable facts on the request's audit row. On resubmission `claim_changes`
compares that record with the claim as it is sent back, and the result is stored on
the resubmission's audit row: the case page and the reviewer's email show the
changes as they were, and the history stays true whatever happens to the claim later.

Both records are plain JSON. `change_lines` turns stored changes into text in the
active language when they are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from subsidy.amounts import to_cents
from subsidy.models import Applicant, Application, AuditEntry, CostItem, Document, Patent

APPLICANT_FIELDS = (
    "name",
    "city",
    "address",
    "contact_person",
    "phone",
    "email",
    "bank_account_name",
    "bank_name",
    "cnaps_code",
)
# Full identity and account numbers never go into a snapshot: it keeps a keyed digest,
# and a change is reported as "changed" without either value.
APPLICANT_SECRET_FIELDS = ("uscc", "id_number", "bank_account_number")
PATENT_FIELDS = (
    "office",
    "number",
    "kind",
    "route",
    "designated_office",
    "designated_application_number",
    "priority_office",
    "priority_number",
    "title_zh",
    "title_en",
    "grant_date",
)
COST_FIELDS = ("cost_type", "description", "amount", "currency", "paid_on", "receipt_number")
DECLARATION_FIELDS = ("declare_true_and_complete", "declare_no_double_funding", "declare_consent_to_checks")

Snapshot = dict[str, Any]
Change = dict[str, Any]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _secret_digest(value: str) -> str:
    return salted_hmac("subsidy.claim_changes", value).hexdigest() if value else ""


def claim_snapshot(application: Application) -> Snapshot:
    """The claim's reviewable facts as JSON: applicant, patent and proprietors, cost
    items, documents, declarations and the amount claimed (three queries when the
    applicant and the patent are loaded)."""
    applicant = application.applicant
    patent = application.patent
    return {
        "applicant": {
            "id": applicant.pk,
            **{name: _text(getattr(applicant, name)) for name in APPLICANT_FIELDS},
            **{name: _secret_digest(getattr(applicant, name)) for name in APPLICANT_SECRET_FIELDS},
        },
        "patent": (
            {
                **{name: _text(getattr(patent, name)) for name in PATENT_FIELDS},
                "proprietors": list(patent.proprietors.order_by("position").values_list("name", flat=True)),
            }
            if patent is not None
            else {}
        ),
        "costs": [
            {name: _text(getattr(item, name)) for name in COST_FIELDS} for item in application.cost_items.order_by("id")
        ],
        "documents": [
            {"id": d.pk, "doc_type": d.doc_type, "name": d.original_name, "sha256": d.sha256}
            for d in application.documents.order_by("id")
        ],
        "declarations": {name: bool(getattr(application, name)) for name in DECLARATION_FIELDS},
        "amount": _text(application.requested_amount),
    }


def _field_changes(part: str, before: dict[str, Any], after: dict[str, Any], names: Iterable[str]) -> list[Change]:
    return [
        {"part": part, "field": name, "before": before.get(name), "after": after.get(name)}
        for name in names
        if before.get(name) != after.get(name)
    ]


def _cost_key(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(_text(item.get(name)) for name in COST_FIELDS)


def _cost_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[Change]:
    """Cost items have no identity of their own (the costs step saves them anew), so
    identical items match first; of the rest, an item with the same receipt number, or
    else the next one of the same type, counts as that item changed."""
    removed = list(before)
    added: list[dict[str, Any]] = []
    for item in after:
        same = next((old for old in removed if _cost_key(old) == _cost_key(item)), None)
        if same is not None:
            removed.remove(same)
        else:
            added.append(item)
    changes: list[Change] = []
    for match in (
        lambda old, new: old.get("receipt_number") and old.get("receipt_number") == new.get("receipt_number"),
        lambda old, new: old.get("cost_type") == new.get("cost_type"),
    ):
        for new in list(added):
            old = next((candidate for candidate in removed if match(candidate, new)), None)
            if old is None:
                continue
            removed.remove(old)
            added.remove(new)
            changes.append(
                {
                    "part": "cost",
                    "change": "changed",
                    "item": new,
                    "fields": {
                        name: [old.get(name), new.get(name)] for name in COST_FIELDS if old.get(name) != new.get(name)
                    },
                }
            )
    changes += [{"part": "cost", "change": "removed", "item": item} for item in removed]
    changes += [{"part": "cost", "change": "added", "item": item} for item in added]
    return changes


def _document_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[Change]:
    before_ids = {d["id"] for d in before}
    after_ids = {d["id"] for d in after}
    return [
        {"part": "document", "change": "removed", "doc_type": d["doc_type"], "name": d["name"]}
        for d in before
        if d["id"] not in after_ids
    ] + [
        {"part": "document", "change": "added", "doc_type": d["doc_type"], "name": d["name"]}
        for d in after
        if d["id"] not in before_ids
    ]


def _patent_part(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot's patent, read as patents of any office are: snapshots taken before
    held HK patents only, their number under "hk_number" and no office."""
    patent = dict(snapshot.get("patent", {}))
    if "hk_number" in patent:
        patent.setdefault("number", patent.pop("hk_number"))
        patent.setdefault("office", "HK")
    return {name: patent.get(name, "") for name in PATENT_FIELDS} if patent else {}


def claim_changes(before: Snapshot, after: Snapshot) -> list[Change]:
    """What differs between two snapshots of one claim, in the order a reviewer reads a
    claim; an empty list when nothing changed. Secret fields say only that they changed."""
    applicant_before, applicant_after = before.get("applicant", {}), after.get("applicant", {})
    if applicant_before.get("id") != applicant_after.get("id"):
        changes: list[Change] = [
            {
                "part": "applicant",
                "field": "id",
                "before": applicant_before.get("name"),
                "after": applicant_after.get("name"),
            }
        ]
    else:
        changes = _field_changes("applicant", applicant_before, applicant_after, APPLICANT_FIELDS)
        changes += [
            {"part": "applicant", "field": name, "secret": True}
            for name in APPLICANT_SECRET_FIELDS
            if applicant_before.get(name) != applicant_after.get(name)
        ]
    changes += _field_changes("patent", _patent_part(before), _patent_part(after), PATENT_FIELDS)
    proprietors = before.get("patent", {}).get("proprietors", []), after.get("patent", {}).get("proprietors", [])
    if proprietors[0] != proprietors[1]:
        changes.append({"part": "patent", "field": "proprietors", "before": proprietors[0], "after": proprietors[1]})
    changes += _cost_changes(before.get("costs", []), after.get("costs", []))
    changes += _document_changes(before.get("documents", []), after.get("documents", []))
    changes += _field_changes(
        "declarations", before.get("declarations", {}), after.get("declarations", {}), DECLARATION_FIELDS
    )
    if before.get("amount") != after.get("amount"):
        changes.append(
            {
                "part": "amount",
                "field": "requested_amount",
                "before": before.get("amount"),
                "after": after.get("amount"),
            }
        )
    return changes


# Presentation: stored changes as lines of text in the active language ----------------


@dataclass(frozen=True)
class ChangeLine:
    """One change as it is read: `heading` (what kind of change), `subject` (which
    field, item or document) and `detail` (before → after, or empty)."""

    heading: str
    subject: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.heading}: {self.subject}" + (f": {self.detail}" if self.detail else "")


MODELS = {"applicant": Applicant, "patent": Patent, "declarations": Application, "amount": Application}


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    try:
        field = model._meta.get_field(name)
    except LookupError:
        return None
    return field if isinstance(field, models.Field) else None


def _label(model: type[models.Model], name: str) -> str:
    if name == "proprietors":
        return _("Registered proprietors")
    if name == "id":
        return _("another applicant chosen")
    field = _field(model, name)
    return str(field.verbose_name) if field is not None else name


def _money(value: Any) -> str:
    try:
        return number_format(to_cents(Decimal(str(value))), 2, force_grouping=True)
    except (ArithmeticError, ValueError):
        return _text(value)


def _value(model: type[models.Model], name: str, value: Any) -> str:
    """A stored value as the page shows it: choices by their label, ticks as words."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("ticked") if value else _("not ticked")
    field = _field(model, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField):
        return _money(value)
    return str(value)


def _cost_subject(item: dict[str, Any], with_amount: bool = True) -> str:
    kind = _value(CostItem, "cost_type", item.get("cost_type"))
    parts = [kind + (f" ({item['description']})" if item.get("description") else "")]
    if with_amount:
        parts.append(f"{_money(item.get('amount'))} {item.get('currency', '')}".strip())
    if item.get("receipt_number"):
        parts.append(_("receipt %(number)s") % {"number": item["receipt_number"]})
    return ", ".join(parts)


def _arrow(before: str, after: str) -> str:
    return f"{before} → {after}"


def change_lines(changes: Iterable[Change]) -> list[ChangeLine]:
    """Stored changes (from `claim_changes`) as lines in the active language."""
    headings = {
        "applicant": _("Applicant"),
        "patent": _("Patent"),
        "declarations": _("Declarations"),
        "amount": _("Amount"),
    }
    lines: list[ChangeLine] = []
    for change in changes:
        part = change.get("part")
        if part == "document":
            heading = _("Document added") if change.get("change") == "added" else _("Document removed")
            kind = _value(Document, "doc_type", change.get("doc_type"))
            lines.append(ChangeLine(heading, f"{kind}: {change.get('name', '')}"))
        elif part == "cost":
            item = change.get("item", {})
            if change.get("change") == "changed":
                for name, (old, new) in change.get("fields", {}).items():
                    lines.append(
                        ChangeLine(
                            _("Cost item changed"),
                            f"{_cost_subject(item, with_amount=False)} · {_label(CostItem, name)}",
                            _arrow(_value(CostItem, name, old), _value(CostItem, name, new)),
                        )
                    )
            else:
                heading = _("Cost item added") if change.get("change") == "added" else _("Cost item removed")
                lines.append(ChangeLine(heading, _cost_subject(item)))
        elif part in MODELS:
            model, name = MODELS[part], str(change.get("field", ""))
            if change.get("secret"):
                lines.append(ChangeLine(headings[part], _label(model, name), _("changed (not shown here)")))
                continue
            before, after = change.get("before"), change.get("after")
            lines.append(
                ChangeLine(
                    headings[part], _label(model, name), _arrow(_value(model, name, before), _value(model, name, after))
                )
            )
    return lines


def snapshot_at_request(application: Application) -> Snapshot | None:
    """The claim as it was when information was last requested (None for a request
    recorded before snapshots were kept)."""
    entry = (
        AuditEntry.objects.for_object(application)
        .filter(transition="request_info")
        .order_by("-at", "-id")
        .values_list("changes", flat=True)
        .first()
    )
    snapshot = (entry or {}).get("claim_at_request")
    return snapshot if isinstance(snapshot, dict) else None


@dataclass(frozen=True)
class Answer:
    """The applicant's latest answer to an information request, as the case page shows
    it: when, their reply, and what changed (None when the request predates the record)."""

    at: dt.datetime
    reply: str
    changes: list[ChangeLine] | None


def latest_answer(history: Iterable[AuditEntry]) -> Answer | None:
    """From a claim's audit rows (already loaded, oldest first): its last resubmission."""
    last = None
    for entry in history:
        if entry.transition == "resubmit":
            last = entry
    if last is None:
        return None
    stored = (last.changes or {}).get("since_request")
    return Answer(at=last.at, reply=last.comment, changes=None if stored is None else change_lines(stored))
