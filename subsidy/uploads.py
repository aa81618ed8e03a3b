"""What an uploaded file really is: read by content, never by its name or the
content type the browser claimed.

A PDF must parse (pypdf), must not be encrypted and must not carry anything that
runs or opens something when a reviewer views it: JavaScript (/JS, /JavaScript,
an /OpenAction or an annotation action running it, XFA forms), automatic actions
(/AA), /Launch actions, or embedded files (/EmbeddedFiles, /FileAttachment
annotations, /EF file specifications). A PNG or JPEG must decode completely
(Pillow) and stay within Pillow's pixel limit. Whatever passes is stored with the
content type found here, which is the one it is served with.
"""

from __future__ import annotations

import warnings
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"

# Files are accepted by what they are, not by what they are called.
SIGNATURES: dict[bytes, str] = {
    b"%PDF-": PDF,
    b"\x89PNG\r\n\x1a\n": PNG,
    b"\xff\xd8\xff": JPEG,
}

# Names that make a PDF do something when it is opened or clicked.
SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA"}
ACTION_KEYS = {"/AA"}
EMBEDDED_KEYS = {"/EmbeddedFiles", "/EmbeddedFile", "/EF"}
REFUSED_ACTIONS = {"/JavaScript": "script", "/Launch": "launch", "/GoToE": "embedded", "/RichMediaExecute": "script"}
# A PDF deeper or larger than this is not a scanned certificate or receipt.
MAX_PDF_OBJECTS = 200_000


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES.items():
        if head.startswith(magic):
            return content_type
    return None


def _refuse(message: Any) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code="invalid_file")})


def check_upload(upload: Any) -> str:
    """The upload's real content type, or a field-level error (key "file") a person can act on."""
    size = upload.size
    if size is None or size > settings.MAX_UPLOAD_BYTES:
        raise _refuse(
            _("This file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size or 0), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise _refuse(_("Only PDF, PNG and JPEG files are accepted, and this file is none of them."))
    try:
        if content_type == PDF:
            _check_pdf(upload)
        else:
            _check_image(upload, content_type)
    finally:
        upload.seek(0)
    return content_type


# PDF --------------------------------------------------------------------------


def _check_pdf(stream: IO[bytes]) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(stream, strict=False)
        encrypted = reader.is_encrypted
        if not encrypted:
            pages = len(reader.pages)
            found = _pdf_findings(reader.trailer)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        raise _refuse(_("This file could not be read as a PDF. Save or scan it again as a PDF and upload that.")) from (
            error
        )
    if encrypted:
        raise _refuse(_("This PDF is encrypted or password-protected. Upload a copy without a password."))
    if pages == 0:
        raise _refuse(_("This PDF has no pages."))
    if "script" in found:
        raise _refuse(
            _(
                "This PDF contains JavaScript or automatic actions, which are not accepted. "
                "Print it to a new PDF and upload that."
            )
        )
    if "launch" in found:
        raise _refuse(_("This PDF contains an action that launches a program, which is not accepted."))
    if "embedded" in found:
        raise _refuse(
            _(
                "This PDF has files embedded in or attached to it, which are not accepted. "
                "Upload each document on its own."
            )
        )


def _pdf_findings(root: Any) -> set[str]:
    """Walk every object reachable from the trailer (object streams are expanded and
    #-escaped names decoded by pypdf) and say what of concern it holds."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(node, DictionaryObject):  # streams are dictionaries too
            keys = {str(k) for k in node}
            if keys & SCRIPT_KEYS:
                found.add("script")
            if keys & ACTION_KEYS:
                found.add("script")
            if keys & EMBEDDED_KEYS:
                found.add("embedded")
            action = node.get("/S")
            if isinstance(action, NameObject) and str(action) in REFUSED_ACTIONS:
                found.add(REFUSED_ACTIONS[str(action)])
            subtype = node.get("/Subtype")
            if isinstance(subtype, NameObject) and str(subtype) == "/FileAttachment":
                found.add("embedded")
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return found


# Images -----------------------------------------------------------------------


def _check_image(stream: IO[bytes], content_type: str) -> None:
    from PIL import Image, UnidentifiedImageError

    expected = {PNG: "PNG", JPEG: "JPEG"}[content_type]
    unreadable = _refuse(_("This image could not be read. Save or scan it again as PNG or JPEG and upload that."))
    try:
        with warnings.catch_warnings():
            # An image that would decompress to far more pixels than any scan is refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                if image.format != expected:
                    raise unreadable
                image.verify()
            stream.seek(0)
            with Image.open(stream) as image:
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise unreadable from error
    except Image.DecompressionBombWarning as error:
        raise unreadable from error


INLINE_TYPES = {PDF, PNG, JPEG}


def shows_inline(handle: IO[bytes], content_type: str) -> bool:
    """Whether a stored file may be shown inline as `content_type`: it passes today's
    checks and is what it was recorded as. Checked again when served, so files stored
    before a check existed (or with a tightened check) fall back to a download."""
    if content_type not in INLINE_TYPES:
        return False
    head = handle.read(16)
    handle.seek(0)
    if sniff_content_type(head) != content_type:
        return False
    try:
        if content_type == PDF:
            _check_pdf(handle)
        else:
            _check_image(handle, content_type)
    except ValidationError:
        return False
    finally:
        handle.seek(0)
    return True
