"""CSV in UTF-8 with a byte-order mark, so that Excel shows Chinese text correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO

from subsidy.exports.rows import HEADINGS


def write_csv(rows: Iterable[tuple[str | int, ...]], out: IO[bytes]) -> None:
    """`rows` in column order (rows.batch_text_rows), amounts already as two-decimal text."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(HEADINGS)
        writer.writerows(rows)
        text.flush()
    finally:
        text.detach()
