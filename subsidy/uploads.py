"""What an uploaded file really is: read by content, never by its name or the
content type the browser claimed.

A PDF must parse (pypdf), must not be encrypted and must not carry anything that
runs or opens something when a reviewer views it: JavaScript (/JS, /JavaScript,
an /OpenAction or an annotation action running it, XFA forms), automatic actions
(/AA, and an /OpenAction that does more than go to a page of the document itself),
actions that reach outside the document or play media wherever they are (/Launch,
/GoToR, /GoToE, /SubmitForm, /ImportData, /Rendition, /Sound, /Movie, media
annotations), or embedded files (/EmbeddedFiles, /FileAttachment annotations, /EF
file specifications). Every object in the file is looked at: those reachable from
the trailer, every object of every revision the cross-reference sections name, and
every `N G obj` in the bytes (an incremental update appended after %%EOF, or one a
lenient viewer would find by rebuilding a broken cross-reference table), object
streams included. A PNG or JPEG must decode completely (Pillow) and have at most
settings.MAX_IMAGE_PIXELS pixels. Whatever passes is stored with the content type
found here, which is the one it is served with.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
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
REFUSED_ACTIONS = {
    "/JavaScript": "script",
    "/RichMediaExecute": "script",
    "/Launch": "launch",
    "/GoToE": "embedded",
    # Reaching outside the document (another file, a UNC path, a server) or playing media.
    "/GoToR": "action",
    "/SubmitForm": "action",
    "/ImportData": "action",
    "/Rendition": "action",
    "/Sound": "action",
    "/Movie": "action",
}
# Annotations that play media.
REFUSED_ANNOTATIONS = {"/FileAttachment": "embedded", "/Sound": "action", "/Movie": "action", "/RichMedia": "action"}
# The only action a document may run by itself when opened: going to one of its own pages.
HARMLESS_OPEN_ACTIONS = {"/GoTo"}
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
            found = _pdf_findings(_pdf_roots(reader, stream))
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
    if "action" in found:
        raise _refuse(
            _(
                "This PDF contains actions that open web addresses, other files or forms, or play media, "
                "which are not accepted. Print it to a new PDF and upload that."
            )
        )
    if "embedded" in found:
        raise _refuse(
            _(
                "This PDF has files embedded in or attached to it, which are not accepted. "
                "Upload each document on its own."
            )
        )


# `12 0 obj` in the raw bytes: where a revision (or a stray object) starts.
_OBJECT_HEADER = re.compile(rb"(?<![0-9])([0-9]{1,10})[ \t\r\n\f\x00]+([0-9]{1,5})[ \t\r\n\f\x00]+obj\b")


def _pdf_roots(reader: Any, stream: IO[bytes]) -> Iterator[Any]:
    """Everything to look at: the trailer, every object the cross-reference sections of
    every revision name, and every object written in the bytes (with the objects inside
    object streams), whether or not the newest cross-reference reaches it."""
    from pypdf.generic import IndirectObject

    yield reader.trailer
    for generation, objects in reader.xref.items():
        for idnum in objects:
            yield IndirectObject(idnum, generation, reader)
    for idnum in getattr(reader, "xref_objStm", {}):
        yield IndirectObject(idnum, 0, reader)
    stream.seek(0)
    data = stream.read()
    for count, match in enumerate(_OBJECT_HEADER.finditer(data)):
        if count > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        node = _read_raw_object(reader, data, match.end())
        if node is None:
            continue
        yield node
        yield from _object_stream_members(reader, node)


_SPACE = re.compile(rb"[ \t\r\n\f\x00]*")


def _skip_space(data: bytes, offset: int) -> int:
    match = _SPACE.match(data, offset)
    return match.end() if match else offset


def _read_raw_object(reader: Any, data: bytes, offset: int) -> Any:
    """The object written at `offset` (None if nothing readable is there: the header
    was a coincidence in binary data, or the object is cut short)."""
    from pypdf.generic import read_object

    buffer = io.BytesIO(data)
    buffer.seek(_skip_space(data, offset))
    try:
        return read_object(buffer, reader)
    except Exception:  # anything unreadable here is simply not an object
        return None


def _object_stream_members(reader: Any, node: Any) -> Iterator[Any]:
    """The objects packed in an object stream (/Type /ObjStm), read from its data."""
    from pypdf.generic import NameObject, StreamObject, read_object

    if not isinstance(node, StreamObject) or node.get("/Type") != NameObject("/ObjStm"):
        return
    try:
        content = node.get_data()
        count, first = int(node["/N"]), int(node["/First"])  # type: ignore[call-overload]
        numbers = content[:first].split()
        offsets = [int(numbers[2 * i + 1]) for i in range(min(count, len(numbers) // 2))]
    except Exception:  # an object stream that does not decode holds nothing readable
        return
    for offset in offsets[:MAX_PDF_OBJECTS]:
        buffer = io.BytesIO(content)
        buffer.seek(_skip_space(content, first + offset))
        try:
            yield read_object(buffer, reader)
        except Exception:  # noqa: S112 - an unreadable member holds nothing readable
            continue


def _pdf_findings(roots: Iterator[Any]) -> set[str]:
    """Walk every object reachable from `roots` (object streams are expanded and
    #-escaped names decoded by pypdf) and say what of concern it holds."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    visited = 0
    for root in roots:
        stack: list[Any] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, IndirectObject):
                key = (node.idnum, node.generation)
                if key in seen:
                    continue
                seen.add(key)
                try:
                    node = node.get_object()
                except Exception:  # noqa: S112 - a reference to nothing refers to nothing
                    continue
            if isinstance(node, DictionaryObject | ArrayObject):
                visited += 1  # twice for most: reached from the trailer and read from the bytes
                if visited > 2 * MAX_PDF_OBJECTS:
                    raise ValueError("too many objects")
            if isinstance(node, DictionaryObject):  # streams are dictionaries too
                found |= _dictionary_findings(node)
                stack.extend(node.values())
            elif isinstance(node, ArrayObject):
                stack.extend(node)
    return found


def _dictionary_findings(node: Any) -> set[str]:
    from pypdf.generic import NameObject

    found: set[str] = set()
    keys = {str(k) for k in node}
    if keys & SCRIPT_KEYS or keys & ACTION_KEYS:
        found.add("script")
    if keys & EMBEDDED_KEYS:
        found.add("embedded")
    if "/OpenAction" in keys and not _harmless_open_action(node["/OpenAction"]):
        found.add("action")
    action = node.get("/S")
    if isinstance(action, NameObject) and str(action) in REFUSED_ACTIONS:
        found.add(REFUSED_ACTIONS[str(action)])
    subtype = node.get("/Subtype")
    if isinstance(subtype, NameObject) and str(subtype) in REFUSED_ANNOTATIONS:
        found.add(REFUSED_ANNOTATIONS[str(subtype)])
    return found


def _harmless_open_action(value: Any, depth: int = 0) -> bool:
    """An /OpenAction that is a destination in the document, or a chain of /GoTo actions
    (with /Next) to one: anything else (a web address, a form, another file) is refused."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NullObject, TextStringObject

    if depth > 16:
        return False
    value = value.get_object() if hasattr(value, "get_object") else value
    if value is None or isinstance(value, ArrayObject | NameObject | TextStringObject | NullObject | str):
        return True  # a destination (explicit, or named)
    if not isinstance(value, DictionaryObject):
        return False
    if str(value.get("/S")) not in HARMLESS_OPEN_ACTIONS:
        return False
    following = value.get("/Next")
    if following is None:
        return True
    following = following.get_object()
    steps = following if isinstance(following, ArrayObject) else [following]
    return all(_harmless_open_action(step, depth + 1) for step in steps)


# Images -----------------------------------------------------------------------


def _check_image(stream: IO[bytes], content_type: str) -> None:
    from PIL import Image, UnidentifiedImageError

    expected = {PNG: "PNG", JPEG: "JPEG"}[content_type]
    unreadable = _refuse(_("This image could not be read. Save or scan it again as PNG or JPEG and upload that."))
    too_many_pixels = _refuse(
        _(
            "This image has more pixels than the limit of %(limit)s million. "
            "Scan it again at a lower resolution (300 dpi is plenty) and upload that."
        )
        % {"limit": f"{settings.MAX_IMAGE_PIXELS / 1_000_000:g}"}
    )
    try:
        with warnings.catch_warnings():
            # An image that would decompress to far more pixels than any scan is refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                if image.format != expected:
                    raise unreadable
                width, height = image.size
                if width * height > settings.MAX_IMAGE_PIXELS:
                    raise too_many_pixels
                image.verify()
            stream.seek(0)
            with Image.open(stream) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limit (Image.MAX_IMAGE_PIXELS, set from the setting in SubsidyConfig.ready).
        raise too_many_pixels from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
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
