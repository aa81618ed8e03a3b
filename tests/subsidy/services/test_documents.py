import hashlib

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subsidy.demo_data import TINY_PDF
from subsidy.models import Document
from subsidy.services.documents import UploadLimitReached, document_delete, document_upload
from tests.factories import ApplicationFactory, pdf_upload
from tests.subsidy.api.conftest import api_client
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


# Limits: documents per claim, uploads per person per hour --------------------------------


def test_a_claim_holds_at_most_the_document_limit(draft, settings):
    settings.MAX_DOCUMENTS_PER_CLAIM = 2
    for _ in range(2):
        document_upload(application=draft, by=draft.created_by, doc_type="other", upload=pdf_upload())
    with pytest.raises(ValidationError) as caught:
        document_upload(application=draft, by=draft.created_by, doc_type="other", upload=pdf_upload())
    assert caught.value.error_dict["file"][0].code == "too_many_documents"
    assert draft.documents.count() == 2


def test_thirty_documents_and_sixty_uploads_an_hour_are_the_defaults():
    from django.conf import settings

    assert settings.MAX_DOCUMENTS_PER_CLAIM == 30
    assert settings.UPLOADS_PER_HOUR == 60


def test_uploads_per_person_per_hour_are_limited(draft, settings):
    cache.clear()
    settings.UPLOADS_PER_HOUR = 3
    for _ in range(3):
        document_upload(application=draft, by=draft.created_by, doc_type="other", upload=pdf_upload())
    with pytest.raises(UploadLimitReached) as caught:
        document_upload(application=draft, by=draft.created_by, doc_type="other", upload=pdf_upload())
    assert caught.value.error_dict["file"][0].code == "throttled"
    assert 0 < caught.value.retry_after <= 3600
    # Refused uploads count too (each costs the check); someone else has their own allowance.
    other = ApplicationFactory(complete=False)
    document_upload(application=other, by=other.created_by, doc_type="other", upload=pdf_upload())


def test_the_page_shows_the_limits_at_the_file_field(client, draft, settings):
    cache.clear()
    client.force_login(draft.created_by)
    settings.MAX_DOCUMENTS_PER_CLAIM = 1
    path = reverse("portal:claim_documents", args=[draft.pk])
    assert client.post(path, {"doc_type": "other", "file": pdf_upload()}).status_code == 302
    response = client.post(path, {"doc_type": "other", "file": pdf_upload()})
    assert "at most 1" in str(response.context["form"].errors["file"]) or "最多" in str(
        response.context["form"].errors["file"]
    )
    settings.MAX_DOCUMENTS_PER_CLAIM = 30
    settings.UPLOADS_PER_HOUR = 2
    response = client.post(path, {"doc_type": "other", "file": pdf_upload()})
    assert response.context["form"].errors["file"]
    assert draft.documents.count() == 1


def test_the_api_answers_429_with_the_field_error_when_the_hour_is_used_up(draft, settings):
    cache.clear()
    settings.UPLOADS_PER_HOUR = 1
    client = api_client(draft.created_by)
    path = f"/api/v1/applications/{draft.pk}/documents/"
    assert client.post(path, {"doc_type": "other", "file": pdf_upload()}, format="multipart").status_code == 201
    refused = client.post(path, {"doc_type": "other", "file": pdf_upload()}, format="multipart")
    assert refused.status_code == 429
    assert refused.json()["file"]
    assert int(refused["Retry-After"]) > 0
    settings.UPLOADS_PER_HOUR = 60
    settings.MAX_DOCUMENTS_PER_CLAIM = 1
    full = client.post(path, {"doc_type": "other", "file": pdf_upload()}, format="multipart")
    assert full.status_code == 400
    assert full.json()["file"]
