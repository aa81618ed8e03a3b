"""Uploads are judged by what they are: a PDF must parse, be unencrypted and carry
nothing that runs or opens something; an image must decode. The malicious PDFs are
made here with pypdf's writer (or by hand where a writer would not produce them)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from subsidy.demo import TINY_PDF, minimal_pdf
from subsidy.uploads import check_upload


def image_bytes(fmt: str, size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf(build: Callable[[PdfWriter], None] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if build is not None:
        build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def js_action(script: str = "app.alert(1)") -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)})


def _open_action_js(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(js_action())


def _document_js(writer: PdfWriter) -> None:
    # The document's JavaScript name tree, run when the document opens.
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("init"), writer._add_object(js_action())])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})


def _page_aa(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): js_action()})


def _launch(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )


def _embedded_file(writer: PdfWriter) -> None:
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")


def _file_attachment_annotation(writer: PdfWriter) -> None:
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([NumberObject(10), NumberObject(10), NumberObject(30), NumberObject(30)]),
            NameObject("/FS"): TextStringObject("payload.bin"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _link_with_js(writer: PdfWriter) -> None:
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(10), NumberObject(10), NumberObject(30), NumberObject(30)]),
            NameObject("/A"): js_action(),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _encrypted(writer: PdfWriter) -> None:
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-128")


PAGE = b"<</Type/Pages/Kids[3 0 R]/Count 1>>"
LEAF = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"
# A name may be written with #xx escapes: /J#61vaScript is /JavaScript.
ESCAPED_JS = minimal_pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>", PAGE, LEAF)

REFUSED_PDFS = {
    "open action running JavaScript": (pdf(_open_action_js), "JavaScript"),
    "document-level JavaScript": (pdf(_document_js), "JavaScript"),
    "page additional actions": (pdf(_page_aa), "JavaScript"),
    "link annotation running JavaScript": (pdf(_link_with_js), "JavaScript"),
    "JavaScript behind #-escaped names": (ESCAPED_JS, "JavaScript"),
    "launch action": (pdf(_launch), "launches a program"),
    "embedded file": (pdf(_embedded_file), "embedded"),
    "file attachment annotation": (pdf(_file_attachment_annotation), "embedded"),
    "encrypted": (pdf(_encrypted), "encrypted"),
    "does not parse": (b"%PDF-1.7\n" + b"\x00garbage" * 50, "could not be read"),
    "cut short": (TINY_PDF[:80], "could not be read"),
    "no pages": (minimal_pdf(b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"), "no pages"),
}


def check(content: bytes, name: str = "upload.pdf") -> str:
    return check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))


@pytest.mark.parametrize(("content", "expected"), REFUSED_PDFS.values(), ids=REFUSED_PDFS.keys())
def test_dangerous_or_unreadable_pdfs_are_refused_with_a_field_error(content, expected):
    with pytest.raises(ValidationError) as caught:
        check(content)
    messages = [str(m) for m in caught.value.message_dict["file"]]
    assert len(messages) == 1
    assert expected in messages[0]


def test_plain_pdfs_are_accepted_including_a_harmless_open_action():
    assert check(TINY_PDF) == "application/pdf"
    assert check(pdf()) == "application/pdf"

    def go_to_first_page(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = ArrayObject(
            [writer.pages[0].indirect_reference, NameObject("/Fit")]
        )

    assert check(pdf(go_to_first_page)) == "application/pdf"


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_images_that_decode_are_accepted_whatever_they_are_called(fmt, content_type):
    assert check(image_bytes(fmt), name="scan.pdf") == content_type


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        image_bytes("PNG")[:40],
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,
        image_bytes("JPEG")[:30],
    ],
    ids=["png signature only", "truncated png", "jpeg signature only", "truncated jpeg"],
)
def test_images_that_do_not_decode_are_refused(content):
    with pytest.raises(ValidationError) as caught:
        check(content, name="scan.png")
    assert "could not be read" in str(caught.value.message_dict["file"][0])


def test_decompression_bombs_are_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValidationError):
        check(image_bytes("PNG", size=(20, 20)), name="bomb.png")


def test_the_size_limit_is_a_setting(settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        check(pdf())
    assert "limit" in str(caught.value.message_dict["file"][0])
