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
from typing import Any, NamedTuple

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


class _Shared(NamedTuple):
    html_class: Any
    stylesheet: Any
    page_numbers: Any
    font_config: Any


@lru_cache(maxsize=1)
def _shared() -> _Shared:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    class LetterHTML(HTML):
        """A letter without the browser's default stylesheet: letter.css styles every
        element a letter uses. WeasyPrint matches its ~250 HTML rules against every
        element and gives each one six pseudo-element styles; a letter lays out ~5 ms
        faster without them (tests/subsidy/letters checks the templates use no other element)."""

        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return []

    font_config = FontConfiguration()
    # Released while the interpreter still works: its finaliser fails at shutdown.
    atexit.register(_shared.cache_clear)
    stylesheet = CSS(string=letter_css_text(), font_config=font_config)
    page_numbers = CSS(string=render_to_string("letters/page-numbers.css"), font_config=font_config)
    # What is loaded by now (Django, WeasyPrint, the font, this stylesheet) lives as long
    # as the process: keep it out of the cyclic collector's full passes, which otherwise
    # double the time of every fifteenth letter or so.
    gc.collect()
    gc.freeze()
    return _Shared(LetterHTML, stylesheet, page_numbers, font_config)


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
    """The letter as PDF/A-3u bytes. The same content gives the same bytes.

    Page numbers only when the letter runs past one page (long reasons, many costs):
    then it is laid out again with them. A "1" under a one-page letter says nothing,
    and the page-margin box costs every letter ~2 ms."""
    from weasyprint import Attachment

    shared = _shared()
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
    options: dict[str, Any] = {
        "pdf_variant": PDF_VARIANT,
        "attachments": [attachment],
        # A fixed identifier (derived from the content) instead of a random one.
        "pdf_identifier": hashlib.md5(snapshot.encode(), usedforsecurity=False).hexdigest().encode(),
    }
    html = shared.html_class(string=letter_html(content))
    document = html.render(font_config=shared.font_config, stylesheets=[shared.stylesheet], **options)
    if len(document.pages) > 1:
        stylesheets = [shared.stylesheet, shared.page_numbers]
        document = html.render(font_config=shared.font_config, stylesheets=stylesheets, **options)
    return document.write_pdf(finisher=compress_streams_once, **options)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
