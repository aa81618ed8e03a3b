"""Does every character of a PDF page look like the character its text layer claims?

A font trick can make WeasyPrint draw the wrong glyph while `pdftotext` still reads
the right text, and OCR misreads rare name characters even when they are right. So
this compares pictures: the page rendered by `pdftoppm`, cut at each character's
box (from pdfminer's layout of the text layer), against the same character drawn
by FreeType (Pillow) from the system font. A drawn glyph passes when the reference
picture of its own character matches it best among every character on the page,
and closely.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

REFERENCE_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
DPI = 300
CELL = 40  # every glyph picture is compared at CELL x CELL
MIN_SIMILARITY = 0.6


@dataclass(frozen=True)
class DrawnCharacter:
    text: str
    best_match: str
    similarity: float

    @property
    def correct(self) -> bool:
        return self.best_match == self.text and self.similarity >= MIN_SIMILARITY


def _frame(size: float) -> tuple[float, float]:
    """How far a character's picture reaches above and below its baseline, in points."""
    return 0.92 * size, 0.18 * size


def is_ideograph(character: str) -> bool:
    code = ord(character)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F


def _comparable(ink: np.ndarray) -> np.ndarray | None:
    """Ink darkness (0..1) → a normed CELL x CELL picture. The ink's centroid is moved to
    the centre (rasterisers place glyphs a pixel or two apart) and its darkness scaled
    to 1 (coloured text renders lighter); size and proportions are kept."""
    if ink.max() < 0.2:
        return None
    ink = ink / ink.max()
    height, width = ink.shape
    rows, cols = np.indices(ink.shape)
    total = ink.sum()
    dy = round(height / 2 - (rows * ink).sum() / total)
    dx = round(width / 2 - (cols * ink).sum() / total)
    shifted = np.zeros_like(ink)
    target = shifted[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)]
    target[...] = ink[max(-dy, 0) : height - max(dy, 0), max(-dx, 0) : width - max(dx, 0)]
    picture = Image.fromarray((shifted * 255).astype(np.uint8)).resize((CELL, CELL), Image.Resampling.BOX)
    cell = np.asarray(picture.filter(ImageFilter.GaussianBlur(0.7)), dtype=np.float32) / 255
    cell -= cell.mean()
    norm = np.linalg.norm(cell)
    return cell / norm if norm else None


@lru_cache(maxsize=8192)
def _reference(character: str, width: int, above: int, below: int) -> np.ndarray | None:
    """The character as FreeType draws it from the system font, in the same frame as on
    the page: drawn four times larger and scaled down, so that hinting does not thicken it."""
    factor = 4
    font = ImageFont.truetype(str(REFERENCE_FONT), round((above + below) * factor / 1.1), index=0)
    image = Image.new("L", (width * factor, (above + below) * factor), 0)
    ImageDraw.Draw(image).text((0, above * factor), character, font=font, fill=255, anchor="ls")
    small = image.resize((width, above + below), Image.Resampling.BOX)
    return _comparable(np.asarray(small, dtype=np.float32) / 255)


Placed = tuple[str, float, float, float, float]  # text, left, right, baseline, size (points)


def _page_characters(pdf: bytes, page_number: int) -> tuple[list[Placed], float]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTPage

    found: list[Placed] = []
    height = 0.0

    def walk(node: object) -> None:
        if isinstance(node, LTChar):
            if node.get_text().strip() and node.upright:
                found.append((node.get_text(), node.x0, node.x1, node.matrix[5], node.size))
            return
        for child in getattr(node, "_objs", []) or []:
            walk(child)

    for page in extract_pages(io.BytesIO(pdf), page_numbers=[page_number - 1], laparams=LAParams()):
        if not isinstance(page, LTPage):
            continue
        height = page.height
        walk(page)
    return found, height


class GlyphCheckUnavailable(RuntimeError):
    pass


def _poppler_text(pdf: bytes, page_number: int) -> str:
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own PDF on stdin
        ["/usr/bin/pdftotext", "-f", str(page_number), "-l", str(page_number), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def render_page(pdf: bytes, page_number: int = 1, dpi: int = DPI) -> Image.Image:
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own PDF on stdin
        ["/usr/bin/pdftoppm", "-r", str(dpi), "-gray", "-f", str(page_number), "-l", str(page_number), "-png", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(result.stdout)).convert("L")


def check_page(pdf: bytes, page_number: int = 1) -> list[DrawnCharacter]:
    """Every Chinese character drawn on the page, with what it looks like.

    Ideographs are what a wrong font breaks and what a reader cannot guess from
    context; Latin letters are left out because l/I and 0/O look alike by design.
    """
    characters, page_height = _page_characters(pdf, page_number)
    characters = [placed for placed in characters if is_ideograph(placed[0])]
    expected = sum(1 for character in _poppler_text(pdf, page_number) if is_ideograph(character))
    if len(characters) != expected:
        # Never pass a page by not looking at it (pdfminer cannot read every encoding).
        raise GlyphCheckUnavailable(f"located {len(characters)} of the {expected} Chinese characters on the page")
    picture = np.asarray(render_page(pdf, page_number), dtype=np.uint8)
    scale = DPI / 72
    alphabet = sorted({placed[0] for placed in characters})
    results = []
    for text, left, right, baseline, size in characters:
        above, below = (round(extent * scale) for extent in _frame(size))
        x0, x1 = round(left * scale), round(right * scale)
        y = round((page_height - baseline) * scale)
        ink = 1 - picture[y - above : y + below, x0:x1].astype(np.float32) / 255
        # A table rule crossing the frame is not part of the glyph.
        ink[(ink > 0.3).all(axis=1)] = 0
        drawn = _comparable(ink)
        if drawn is None:
            results.append(DrawnCharacter(text=text, best_match="", similarity=0.0))
            continue
        scores = {
            candidate: float((reference * drawn).sum())
            for candidate in alphabet
            if (reference := _reference(candidate, x1 - x0, above, below)) is not None
        }
        best = max(scores, key=lambda candidate: scores[candidate])
        results.append(DrawnCharacter(text=text, best_match=best, similarity=scores.get(text, 0.0)))
    return results


def wrong_glyphs(pdf: bytes, page_number: int = 1) -> list[DrawnCharacter]:
    return [drawn for drawn in check_page(pdf, page_number) if not drawn.correct]
