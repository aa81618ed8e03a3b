import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from subsidy.demo import TINY_PDF
from subsidy.models import Document
from subsidy.services.documents import document_delete, document_upload
from tests.factories import ApplicationFactory
from tests.subsidy.test_uploads import image_bytes

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture
def draft():
    return ApplicationFactory(complete=False)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [(TINY_PDF, "cert.pdf", "application/pdf"), (PNG, "receipt.png", "image/png"), (JPEG, "scan.JPG", "image/jpeg")],
)
def test_accepts_pdf_png_jpeg_by_content(draft, content, name, expected):
    document = document_upload(
        application=draft, by=draft.created_by, doc_type="fee_receipt", upload=SimpleUploadedFile(name, content)
    )
    assert document.content_type == expected
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.original_name == name
    # Stored under a random name, not the uploader's.
    assert name not in document.file.name
    with document.file.open("rb") as stored:
        assert stored.read() == content


def test_renamed_exe_is_refused_and_nothing_stored(draft, settings):
    with pytest.raises(ValidationError) as caught:
        document_upload(
            application=draft, by=draft.created_by, doc_type="other", upload=SimpleUploadedFile("invoice.pdf", EXE)
        )
    assert "file" in caught.value.error_dict
    assert not Document.objects.exists()
    root = settings.PRIVATE_STORAGE_ROOT
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_oversize_upload_is_refused(draft, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", TINY_PDF + b"0" * 2048)
    with pytest.raises(ValidationError) as caught:
        document_upload(application=draft, by=draft.created_by, doc_type="other", upload=big)
    assert "1.0" in str(caught.value.error_dict["file"][0].message)
    assert not Document.objects.exists()


def test_ten_mebibytes_is_the_default_limit(settings):
    assert settings.MAX_UPLOAD_BYTES == 10 * 1024 * 1024


def test_deleting_a_draft_document_removes_the_file(draft, django_capture_on_commit_callbacks):
    document = document_upload(
        application=draft, by=draft.created_by, doc_type="other", upload=SimpleUploadedFile("a.pdf", TINY_PDF)
    )
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document=document, by=draft.created_by)
    assert not Document.objects.exists()
    assert not storage.exists(name)
