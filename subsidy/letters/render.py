"""Letters to PDF with WeasyPrint: PDF/A-3u, the case data attached, one embedded font.

The templates (`templates/letters/*.html`, `letter.css`) say what a letter looks
like; this module only feeds them a `LetterContent`. The parsed stylesheet and the
font configuration are built once per process and reused for every letter: parsing
them is a large part of a fresh render.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import hashlib
import zlib
from functools import lru_cache
from typing import Any

import segno
from django.template import Context
from django.template.loader import render_to_string

from subsidy.letters.content import LetterContent
from subsidy.letters.fonts import letter_font_path
from subsidy.letters.templates import letter_engine, letter_template_name

PDF_VARIANT = "pdf/a-3u"
ATTACHMENT_NAME = "case-data.json"


def qr_data_uri(url: str) -> str:
    # A PNG with one pixel per module, scaled up sharply by CSS: drawing an SVG QR
    # costs WeasyPrint about ten times as much.
    # A fixed mask: any mask reads; choosing the best one costs more than the rest of the code.
    return segno.make(url, error="m", mask=4, micro=False).png_data_uri(scale=1, border=0)


def letter_html(content: LetterContent) -> str:
    template = letter_template_name(
        "letters/approval.html" if content.is_approval else "letters/rejection.html", content.chinese
    )
    context = Context({"letter": content, "qr": qr_data_uri(content.verify_url)})
    return letter_engine().get_template(template).render(context)


def letter_css_text() -> str:
    return render_to_string("letters/letter.css", {"font_url": letter_font_path().as_uri()})


@lru_cache(maxsize=1)
def _shared() -> tuple[Any, Any]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    # Released while the interpreter still works: its finaliser fails at shutdown.
    atexit.register(_shared.cache_clear)
    stylesheet = CSS(string=letter_css_text(), font_config=font_config)
    # What is loaded by now (Django, WeasyPrint, the font, this stylesheet) lives as long
    # as the process: keep it out of the cyclic collector's full passes, which otherwise
    # double the time of every fifteenth letter or so.
    gc.collect()
    gc.freeze()
    return stylesheet, font_config


def compress_streams_once(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: deflate every stream once, at zlib's default level.

    pydyf compresses a stream each time its bytes are read (twice per file) and at
    level 9; for a letter that was ~12 ms of ~90, for a file 1-2 % smaller.
    """
    import pydyf

    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and item.compress:
            raw = b"\n".join(pydyf._to_bytes(part) for part in item.stream)
            item.stream = [zlib.compress(raw, 6)]
            item.extra["Filter"] = "/FlateDecode"
            item.compress = False


def render_letter(content: LetterContent) -> bytes:
    """The letter as PDF/A-3u bytes. The same content gives the same bytes."""
    from weasyprint import HTML, Attachment

    stylesheet, font_config = _shared()
    moment = dt.datetime.combine(content.issued_on, dt.time(9, 0), tzinfo=dt.UTC)
    snapshot = content.to_json()
    attachment = Attachment(
        string=snapshot,
        name=ATTACHMENT_NAME,
        description="Case data of this letter (JSON)",
        created=moment,
        modified=moment,
        relationship="Data",
    )
    return HTML(string=letter_html(content)).write_pdf(
        stylesheets=[stylesheet],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
        attachments=[attachment],
        # A fixed identifier (derived from the content) instead of a random one.
        pdf_identifier=hashlib.md5(snapshot.encode(), usedforsecurity=False).hexdigest().encode(),
        finisher=compress_streams_once,
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
