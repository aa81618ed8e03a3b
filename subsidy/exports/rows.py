"""The rows every export writes, read from the database in chunks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast

from subsidy.models import Batch, BatchLine, LineStatus

CENT = Decimal("0.01")
CHUNK = 5000


class ExportInvalid(Exception):
    """The file fails a check (XSD or business rule); it must not be handed out."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:10]))
        self.problems = problems


@dataclass(frozen=True)
class ExportRow:
    sequence: int
    payee_name: str
    account_number: str
    bank_name: str
    cnaps_code: str
    amount: Decimal
    purpose: str
    letter_reference: str
    application_reference: str


@dataclass(frozen=True)
class BatchHeader:
    """What a file says about the whole batch, fixed when it was released."""

    reference: str
    line_count: int
    total_amount: Decimal
    released_at: dt.datetime
    payer_name: str
    payer_account: str
    payer_cnaps: str


HEADINGS = [
    "序号",
    "收款人户名",
    "收款账号",
    "开户银行",
    "联行号(CNAPS)",
    "金额(元)",
    "用途",
    "资助通知书编号",
    "申请编号",
]


def batch_header(batch: Batch) -> BatchHeader:
    if batch.released_at is None:
        raise ExportInvalid(["The batch has not been released."])
    return BatchHeader(
        reference=batch.reference,
        line_count=batch.line_count,
        total_amount=batch.total_amount,
        released_at=batch.released_at,
        payer_name=settings.SUBSIDY_PAYER_NAME,
        payer_account=settings.SUBSIDY_PAYER_ACCOUNT,
        payer_cnaps=settings.SUBSIDY_PAYER_CNAPS,
    )


def batch_rows(batch: Batch) -> Iterator[ExportRow]:
    """The batch's payments in sequence order, a chunk of rows at a time."""
    purpose = settings.SUBSIDY_PAYMENT_PURPOSE
    lines = (
        BatchLine.objects.filter(batch=batch)
        .exclude(status=LineStatus.CANCELLED)
        .order_by("sequence")
        .values_list(
            "sequence",
            "payee_name",
            "account_number",
            "bank_name",
            "cnaps_code",
            "amount",
            "letter_reference",
            "application_reference",
        )
    )
    for sequence, payee, account, bank, cnaps, amount, letter, reference in lines.iterator(chunk_size=CHUNK):
        yield ExportRow(sequence, payee, account, bank, cnaps, amount, purpose, letter, reference)


def batch_text_rows(batch: Batch) -> Iterator[tuple[str | int, ...]]:
    """The same rows as tuples in column order, amounts as text (the column is numeric(12,2),
    positive by a check constraint, so PostgreSQL's text is exactly two decimals). The CSV
    writer takes them as they come: no Python work per row. Other databases (SQLite for
    `make run`) print decimals their own way, so there Python formats each amount."""
    if connection.vendor != "postgresql":
        return (
            (
                r.sequence,
                r.payee_name,
                r.account_number,
                r.bank_name,
                r.cnaps_code,
                money(r.amount),
                r.purpose,
                r.letter_reference,
                r.application_reference,
            )
            for r in batch_rows(batch)
        )
    lines = (
        BatchLine.objects.filter(batch=batch)
        .exclude(status=LineStatus.CANCELLED)
        .order_by("sequence")
        .annotate(
            amount_text=Cast("amount", CharField()),
            purpose=Value(settings.SUBSIDY_PAYMENT_PURPOSE, output_field=CharField()),
        )
        .values_list(
            "sequence",
            "payee_name",
            "account_number",
            "bank_name",
            "cnaps_code",
            "amount_text",
            "purpose",
            "letter_reference",
            "application_reference",
        )
    )
    return lines.iterator(chunk_size=CHUNK)


def money(amount: Decimal) -> str:
    """Exactly two decimals, or refuse: a bank file never rounds silently."""
    if amount != amount.quantize(CENT) or amount <= 0:
        raise ExportInvalid([f"Amount {amount} is not a positive amount in whole cents."])
    return f"{amount:.2f}"
