"""XLSX with the CSV's columns, number formats and a totals row (openpyxl write-only:
rows go to disk as they come). openpyxl stamps the current time into the document
properties and the zip entries; both are fixed here so the same batch gives the same bytes."""

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

from subsidy.exports.rows import HEADINGS, BatchHeader, ExportRow, money

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
    heading_cells = []
    for heading in HEADINGS:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        heading_cells.append(cell)
    sheet.append(heading_cells)
    count, total = 0, Decimal("0.00")
    for row in rows:
        amount = WriteOnlyCell(sheet, value=Decimal(money(row.amount)))
        amount.number_format = AMOUNT_FORMAT
        sheet.append(
            [
                row.sequence,
                row.payee_name,
                row.account_number,  # text: long account numbers must not become floats
                row.bank_name,
                row.cnaps_code,
                amount,
                row.purpose,
                row.letter_reference,
                row.application_reference,
            ]
        )
        count += 1
        total += row.amount
    # The literal total (a =SUM() cell has no cached value until Excel recalculates).
    total_cell = WriteOnlyCell(sheet, value=total)
    total_cell.number_format = AMOUNT_FORMAT
    total_cell.font = bold
    label = WriteOnlyCell(sheet, value=f"合计 {count} 笔")
    label.font = bold
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
