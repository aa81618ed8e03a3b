"""Text cells that a spreadsheet will never run (CSV and formula injection, OWASP).

Excel, WPS and LibreOffice treat a cell that starts with `=`, `+`, `-` or `@` as a
formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(A1)`); a leading tab or carriage
return, other whitespace or an invisible character in front of one, and the full-width
forms Chinese input methods type (U+FF1D, U+FF0B, U+FF0D, U+FF20) are treated the same way by some
of them. Every text cell of every CSV and XLSX this project writes goes through
`safe_text`: such a value gets a leading apostrophe (OWASP's recommendation), which
shows the text as it is and can never be evaluated. Numbers are not text and stay
numbers. In XLSX, text cells are also written explicitly as strings (`text_cell`), so
that nothing is left to openpyxl's guess that a string starting with `=` is a formula.

Bank files only: account numbers and CNAPS codes in the CSV are written as
`digits_as_text` (a tab, then the digits). See that function for why.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import IllegalCharacterError

from subsidy.exports.rows import ExportInvalid

# What may start a formula: ASCII, full-width and small-form variants.
FORMULA_STARTS = frozenset("=+-@" + "\uff1d\uff0b\uff0d\uff20" + "\ufe66\ufe62\ufe63\ufe6b")
# OWASP: a cell must not start with a tab or a carriage return either.
ALWAYS_QUOTED_STARTS = frozenset("\t\r\n")
PREFIX = "'"


def _invisible(char: str) -> bool:
    """Whitespace (incl. the ideographic space), control and format characters
    (zero-width space, byte-order mark, direction marks), which a reader may skip."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def needs_quoting(value: str) -> bool:
    if not value:
        return False
    first = value[0]
    if first in FORMULA_STARTS or first in ALWAYS_QUOTED_STARTS:
        return True
    if first.isalnum():  # the common case, decided without looking further
        return False
    index = 0
    while index < len(value) and _invisible(value[index]):
        index += 1
    return index > 0 and index < len(value) and value[index] in FORMULA_STARTS


def safe_text(value: str) -> str:
    """`value`, with an apostrophe in front if a spreadsheet could read it as a formula."""
    return PREFIX + value if needs_quoting(value) else value


def safe_value(value: Any) -> Any:
    """For report cells of any type: text made safe, numbers, dates and None as they are."""
    return safe_text(value) if isinstance(value, str) else value


def digits_as_text(value: str) -> str:
    """A long digit string (bank account, CNAPS code) for the CSV, so that Excel keeps it.

    Opened in Excel, a CSV cell of 19 digits becomes the number 6.22202E+18: the last
    digits are lost on screen and for good when the file is saved again. A cell that
    starts with a tab is not a number to Excel or WPS, so it stays text with every digit,
    and is written back the same way. We chose the tab over the two other known ways:
    `="6222..."` is itself a formula (exactly what `safe_text` exists to keep out of our
    files, and a bank reading the CSV would see the characters `="` in the account), and
    a leading apostrophe is shown by Excel as part of the number and would reach the
    bank too. A tab is whitespace: bank upload programs and our own return reader strip
    it, and the digits are untouched. The pain.001 file and the XLSX carry the bare
    digits (the XLSX as text cells). Only an all-ASCII-digit value is treated so (the
    tab is then followed by digits only and cannot start a formula); anything else goes
    through `safe_text`.
    """
    if value.isascii() and value.isdigit():
        return "\t" + value
    return safe_text(value)


def text_cell(sheet: Any, value: str, **style: Any) -> WriteOnlyCell:
    """An XLSX cell holding `value` as a string, made safe; never a formula."""
    try:
        cell = WriteOnlyCell(sheet, value=safe_text(value))
    except IllegalCharacterError as error:
        raise ExportInvalid(
            [_("%(value)r contains control characters that a spreadsheet cannot hold.") % {"value": value[:40]}]
        ) from error
    cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
