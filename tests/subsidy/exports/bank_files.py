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
