"""The letter font: WenQuanYi Zen Hei with its glyphs reordered, built once at set-up.

Why a derived font: WeasyPrint embeds a subset of each font that keeps the
original glyph ids, so the embedded font's tables grow with the highest glyph id
used, and every letter compresses and subsets them again. In the system font the
common characters sit at ids up to ~40,000. Here the same outlines are reordered
so that ASCII, punctuation and the 6,763 GB 2312 characters come first: a typical
letter then embeds a small font quickly. Every other character of the original
(rare name characters such as 堃, 珺, 喆, 燊 included) is still in the font, further
back, so nothing falls back to another face. Only the order changes, never which
outline a character maps to (tests/subsidy/letters checks what is drawn).

One font file, no `unicode-range` slices: several faces under one family name make
WeasyPrint draw wrong glyphs while the text layer still reads right.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Tables the letter never uses: bitmap strikes, hinting programs, device metrics.
DROPPED_TABLES = ("EBDT", "EBLC", "EBSC", "BDF ", "hdmx", "LTSH", "VDMX", "fpgm", "prep", "cvt ", "gasp")

# Code points that come first in the glyph order, before the GB 2312 characters.
FIRST_RANGES = [
    (0x20, 0x7F),  # ASCII
    (0xA0, 0x100),  # Latin-1: the yen sign, middle dot
    (0x2000, 0x2070),  # general punctuation: dashes, curly quotes, ellipsis
    (0x20A0, 0x20C0),  # currency signs
    (0x2100, 0x2200),  # letter-like symbols, numerals, arrows
    (0x3000, 0x3040),  # CJK punctuation: 、。《》「」【】
    (0xFF00, 0xFFF0),  # full-width forms: （），：；
]


FAMILY = "GDHK Letter Sans"


def rename(font: Any, family: str) -> None:
    postscript = family.replace(" ", "") + "-Regular"
    names = {1: family, 2: "Regular", 3: f"{postscript};derived", 4: f"{family} Regular", 6: postscript, 16: family}
    table = font["name"]
    table.names = [record for record in table.names if record.nameID not in names]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def gb2312_characters() -> list[int]:
    """The 6,763 hanzi of GB 2312 (rows 16-87), in the standard's order."""
    found = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.append(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def build_letter_font(*, source: Path, output: Path, face_index: int = 0) -> Path:
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=face_index)
    # Every table must be read under the original order before it changes: a table
    # read later would take the new order for the file's old one.
    font.ensureDecompiled()
    cmap = font.getBestCmap()
    order = font.getGlyphOrder()
    first = [cp for start, stop in FIRST_RANGES for cp in range(start, stop)] + gb2312_characters()
    new_order = [order[0]]  # .notdef stays glyph 0
    placed = {order[0]}
    for code_point in first:
        name = cmap.get(code_point)
        if name and name not in placed:
            placed.add(name)
            new_order.append(name)
    new_order += [name for name in order if name not in placed]
    for tag in DROPPED_TABLES:
        if tag in font:
            del font[tag]
    font.setGlyphOrder(new_order)
    # Glyph names would still follow the old order: drop them (post format 3).
    font["post"].formatType = 3.0
    # A name of its own: under the system face's name, fontconfig may shape with
    # one file and embed the other, which draws the wrong glyphs.
    rename(font, FAMILY)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed: a reader never sees half a font.
    handle, temporary = tempfile.mkstemp(dir=output.parent, suffix=".ttf")
    os.close(handle)
    try:
        font.save(temporary)
        Path(temporary).replace(output)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return output


def letter_font_path() -> Path:
    path = Path(settings.LETTER_FONT_PATH)
    if not path.exists():
        raise ImproperlyConfigured(
            f"The letter font {path} has not been built. Run `make setup` or `python manage.py build_letter_font`."
        )
    return path
