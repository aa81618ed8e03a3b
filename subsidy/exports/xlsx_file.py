"""XLSX with the CSV's columns, number formats and a totals row (openpyxl write-only:
rows go to disk as they come). openpyxl stamps the current time into the document
properties and the zip entries; both are fixed here so the same batch gives the same bytes.
Every text cell is written explicitly as a string and made safe (subsidy.exports.cells):
no cell of this file is a formula; account numbers are text with their exact digits."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from subsidy.exports.cells import text_cell
from subsidy.exports.rows import HEADINGS, BatchHeader, ExportInvalid, ExportRow, money

AMOUNT_FORMAT = "#,##0.00"
WIDTHS = [8, 36, 24, 30, 16, 14, 26, 20, 18]
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_xlsx(header: BatchHeader, rows: Iterable[ExportRow], out: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    released = header.released_at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.created = released
    workbook.properties.modified = released
    workbook.properties.creator = "gdhk-patent-subsidy"
    workbook.properties.title = header.reference
    sheet = workbook.create_sheet(title=header.reference[:31])
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    sheet.append([text_cell(sheet, heading, font=bold) for heading in HEADINGS])
    count, total = 0, Decimal("0.00")
    problems: list[str] = []
    for row in rows:
        # A refused line is noted and the rest read on: the message names every such
        # line at once, and the rows (a server-side cursor) are read to their end.
        try:
            amount = WriteOnlyCell(sheet, value=Decimal(money(row.amount)))
            cells = [
                row.sequence,
                text_cell(sheet, row.payee_name),
                text_cell(sheet, row.account_number),  # text: long account numbers must not become floats
                text_cell(sheet, row.bank_name),
                text_cell(sheet, row.cnaps_code),
                amount,
                text_cell(sheet, row.purpose),
                text_cell(sheet, row.letter_reference),
                text_cell(sheet, row.application_reference),
            ]
        except ExportInvalid as error:
            problems.extend(f"#{row.sequence} {row.application_reference}: {problem}" for problem in error.problems)
            continue
        amount.number_format = AMOUNT_FORMAT
        sheet.append(cells)
        count += 1
        total += row.amount
    if problems:
        sheet.close()  # ends openpyxl's row writer here rather than at garbage collection
        raise ExportInvalid(problems)
    # The literal total (a =SUM() cell has no cached value until Excel recalculates).
    total_cell = WriteOnlyCell(sheet, value=total)
    total_cell.number_format = AMOUNT_FORMAT
    total_cell.font = bold
    label = text_cell(sheet, f"合计 {count} 笔", font=bold)
    sheet.append([None, label, None, None, None, total_cell])
    with tempfile.TemporaryDirectory() as directory:
        raw = Path(directory) / "raw.xlsx"
        workbook.save(raw)
        _copy_with_fixed_timestamps(raw, out, released)


# openpyxl's save stamps the current time as the document's "modified" date, whatever
# the properties said: the copy puts the release time back.
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _copy_with_fixed_timestamps(source: Path, out: IO[bytes], released: dt.datetime) -> None:
    stamp = released.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            if info.filename == "docProps/core.xml":
                core = MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", zin.read(info))
                zout.writestr(entry, core)
                continue
            entry.file_size = info.file_size  # lets zipfile decide on zip64 as openpyxl did
            with zin.open(info) as src, zout.open(entry, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
