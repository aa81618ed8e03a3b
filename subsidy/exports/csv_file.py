"""CSV in UTF-8 with a byte-order mark, so that Excel shows Chinese text correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO

from subsidy.exports.rows import HEADINGS, ExportRow, money


def write_csv(rows: Iterable[ExportRow], out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(HEADINGS)
        writer.writerows(
            (
                row.sequence,
                row.payee_name,
                row.account_number,
                row.bank_name,
                row.cnaps_code,
                money(row.amount),
                row.purpose,
                row.letter_reference,
                row.application_reference,
            )
            for row in rows
        )
        text.flush()
    finally:
        text.detach()
