"""CSV in UTF-8 with a byte-order mark, so that Excel shows Chinese text correctly.
Every text cell is made safe from formula injection (subsidy.exports.cells); account
numbers and CNAPS codes start with a tab so that Excel keeps every digit
(`cells.digits_as_text`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import IO

from subsidy.exports.cells import digits_as_text, safe_text
from subsidy.exports.rows import HEADINGS


def safe_rows(rows: Iterable[tuple[str | int, ...]]) -> Iterator[tuple[str | int, ...]]:
    """The export's columns (rows.HEADINGS): sequence and amount are numbers (the amount
    two-decimal text of a positive numeric); account and CNAPS digits kept as text; every
    other column text made safe."""
    for sequence, payee, account, bank, cnaps, amount, purpose, letter, reference in rows:
        yield (
            sequence,
            safe_text(str(payee)),
            digits_as_text(str(account)),
            safe_text(str(bank)),
            digits_as_text(str(cnaps)),
            amount,
            safe_text(str(purpose)),
            safe_text(str(letter)),
            safe_text(str(reference)),
        )


def write_csv(rows: Iterable[tuple[str | int, ...]], out: IO[bytes]) -> None:
    """`rows` in column order (rows.batch_text_rows), amounts already as two-decimal text."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([safe_text(heading) for heading in HEADINGS])
        writer.writerows(safe_rows(rows))
        text.flush()
    finally:
        text.detach()
