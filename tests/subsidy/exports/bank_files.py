"""Helpers that play the bank: read a pain.001 we sent, craft the pain.002 it returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from subsidy.exports.pain001 import NS as PAIN001

PAIN002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.12"


def pain001_transactions(data: bytes) -> list[tuple[str, Decimal]]:
    root = etree.fromstring(data)
    return [
        (tx.findtext(f"{PAIN001}PmtId/{PAIN001}EndToEndId"), Decimal(tx.findtext(f"{PAIN001}Amt/{PAIN001}InstdAmt")))
        for tx in root.iter(f"{PAIN001}CdtTrfTxInf")
    ]


def craft_pain002(
    message_id: str, outcomes: list[tuple[str, Decimal, str]], on: dt.date, reason: str = "AC04"
) -> bytes:
    """A status report for `outcomes` = [(end-to-end id, amount, ACSC|RJCT|…)]."""
    n = f"{{{PAIN002}}}"

    def sub(parent, tag, text=None, **attrs):
        element = etree.SubElement(parent, n + tag, **attrs)
        if text is not None:
            element.text = text
        return element

    document = etree.Element(n + "Document", nsmap={None: PAIN002})
    report = sub(document, "CstmrPmtStsRpt")
    header = sub(report, "GrpHdr")
    sub(header, "MsgId", f"STS-{message_id}")
    sub(header, "CreDtTm", f"{on:%Y-%m-%d}T18:30:00+08:00")
    original = sub(report, "OrgnlGrpInfAndSts")
    sub(original, "OrgnlMsgId", message_id)
    sub(original, "OrgnlMsgNmId", "pain.001.001.09")
    sub(original, "OrgnlNbOfTxs", str(len(outcomes)))
    block = sub(report, "OrgnlPmtInfAndSts")
    sub(block, "OrgnlPmtInfId", f"{message_id}-1")
    for index, (end_to_end, amount, status) in enumerate(outcomes, start=1):
        tx = sub(block, "TxInfAndSts")
        sub(tx, "OrgnlEndToEndId", end_to_end)
        sub(tx, "TxSts", status)
        if status == "RJCT":
            info = sub(tx, "StsRsnInf")
            sub(sub(info, "Rsn"), "Cd", reason)
            sub(info, "AddtlInf", "收款账户已销户 account closed")
        if status == "ACSC":
            sub(tx, "AccptncDtTm", f"{on:%Y-%m-%d}T10:00:00+08:00")
            sub(tx, "AcctSvcrRef", f"BANK{index:06d}")
        reference = sub(tx, "OrgnlTxRef")
        sub(sub(reference, "Amt"), "InstdAmt", f"{amount:.2f}", Ccy="CNY")
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def craft_status_report(
    message_id: str,
    *,
    on: dt.date,
    group_status: str | None = None,
    block_status: str | None = None,
    reason: tuple[str, str] | None = None,
    reason_level: str = "group",
    per_status: dict[str, int] | None = None,
    transactions: tuple[tuple[str, Decimal, str], ...] | list[tuple[str, Decimal, str]] = (),
    original_count: int | None = None,
    original_sum: Decimal | None = None,
    version: str = "12",
) -> bytes:
    """A pain.002 that answers at group (`GrpSts`) or payment-block (`PmtInfSts`) level,
    optionally with `NbOfTxsPerSts` counts and some transactions; validated against the
    package's XSD before it is returned, so the tests feed the reader only real reports."""
    namespace = f"urn:iso:std:iso:20022:tech:xsd:pain.002.001.{version}"
    n = f"{{{namespace}}}"

    def sub(parent, tag, text=None, **attrs):
        element = etree.SubElement(parent, n + tag, **attrs)
        if text is not None:
            element.text = text
        return element

    def status_reason(parent):
        code, text = reason
        info = sub(parent, "StsRsnInf")
        sub(sub(info, "Rsn"), "Cd", code)
        sub(info, "AddtlInf", text)

    document = etree.Element(n + "Document", nsmap={None: namespace})
    report = sub(document, "CstmrPmtStsRpt")
    header = sub(report, "GrpHdr")
    sub(header, "MsgId", f"STS-{message_id}")
    sub(header, "CreDtTm", f"{on:%Y-%m-%d}T18:30:00+08:00")
    group = sub(report, "OrgnlGrpInfAndSts")
    sub(group, "OrgnlMsgId", message_id)
    sub(group, "OrgnlMsgNmId", "pain.001.001.09")
    if original_count is not None:
        sub(group, "OrgnlNbOfTxs", str(original_count))
    if original_sum is not None:
        sub(group, "OrgnlCtrlSum", f"{original_sum:.2f}")
    if group_status:
        sub(group, "GrpSts", group_status)
    if reason and reason_level == "group":
        status_reason(group)
    for status, count in (per_status or {}).items():
        counted = sub(group, "NbOfTxsPerSts")
        sub(counted, "DtldNbOfTxs", str(count))
        sub(counted, "DtldSts", status)
    if block_status or transactions or reason_level == "block":
        block = sub(report, "OrgnlPmtInfAndSts")
        sub(block, "OrgnlPmtInfId", f"{message_id}-1")
        if block_status:
            sub(block, "PmtInfSts", block_status)
        if reason and reason_level == "block":
            status_reason(block)
        for index, (end_to_end, amount, status) in enumerate(transactions, start=1):
            tx = sub(block, "TxInfAndSts")
            sub(tx, "OrgnlEndToEndId", end_to_end)
            sub(tx, "TxSts", status)
            if status == "RJCT":
                info = sub(tx, "StsRsnInf")
                sub(sub(info, "Rsn"), "Cd", "AC04")
                sub(info, "AddtlInf", "收款账户已销户 account closed")
            if status == "ACSC":
                sub(tx, "AccptncDtTm", f"{on:%Y-%m-%d}T10:00:00+08:00")
                sub(tx, "AcctSvcrRef", f"BANK{index:06d}")
            reference = sub(tx, "OrgnlTxRef")
            sub(sub(reference, "Amt"), "InstdAmt", f"{amount:.2f}", Ccy="CNY")
    from subsidy.exports.bank_returns import pain002_schema

    pain002_schema(version).assertValid(document)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")
