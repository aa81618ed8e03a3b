"""The corpus of bad files (tests/bad_files.py) fed to every file import: each is refused
whole, with a message in the reader's language, and nothing is stored half-way.
Bank returns: tests/subsidy/exports/test_bank_returns.py feeds them the same corpus."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from subsidy.backups import BackupError, read_manifest
from subsidy.models import Document, IdentityClaim
from subsidy.uploads import check_upload
from tests.bad_files import bad_files
from tests.factories import ApplicationFactory, UserFactory
from tests.subsidy.api.conftest import api_client

CORPUS = bad_files()
NAMES = [name for name, _data in CORPUS]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("name", "data"), CORPUS, ids=NAMES)
@pytest.mark.parametrize("filename", ["evidence.pdf", "photo.png", "scan.jpg", "file"])
def test_every_bad_file_is_refused_as_an_upload_in_the_readers_language(name, data, filename):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            check_upload(SimpleUploadedFile(filename, data))
        messages = [str(message) for message in refused.value.messages]
    assert messages and all(CHINESE.search(message) for message in messages), (name, messages)


@pytest.mark.django_db
def test_the_documents_step_refuses_every_bad_file_with_a_field_error(client):
    draft = ApplicationFactory(complete=False, patent=None)
    client.force_login(draft.created_by)
    url = reverse("portal:claim_documents", kwargs={"pk": draft.pk})
    for name, data in CORPUS:
        response = client.post(url, {"doc_type": "fee_receipt", "file": SimpleUploadedFile("receipt.pdf", data)})
        assert response.status_code == 200, name
        assert response.context["form"].errors["file"], name
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_every_bad_file_with_a_field_error():
    draft = ApplicationFactory(complete=False, patent=None)
    applicant_api = api_client(draft.created_by)
    for name, data in CORPUS:
        response = applicant_api.post(
            f"/api/v1/applications/{draft.pk}/documents/",
            {"doc_type": "fee_receipt", "file": SimpleUploadedFile("receipt.pdf", data)},
            format="multipart",
        )
        assert response.status_code == 400, (name, response.status_code)
        assert "file" in json.dumps(response.json()), name
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_identity_claim_evidence_refuses_every_bad_file(client):
    claimant = UserFactory()
    client.force_login(claimant)
    for name, data in CORPUS:
        response = client.post(
            reverse("portal:identity_claim"),
            {"number": "91440300MA5FXXXX0X", "evidence": SimpleUploadedFile("licence.pdf", data)},
        )
        assert response.status_code == 200, name
        assert response.context["form"].errors, name
    assert not IdentityClaim.objects.exists()


@pytest.mark.parametrize(("name", "data"), CORPUS, ids=NAMES)
def test_a_restore_refuses_every_bad_manifest_before_touching_anything(name, data, tmp_path):
    (tmp_path / "manifest.json").write_bytes(data)
    with pytest.raises(BackupError) as refused:
        read_manifest(tmp_path)
    assert "manifest.json" in str(refused.value) or "format" in str(refused.value), name


def test_a_restore_refuses_a_manifest_with_a_part_missing(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 1, "database": {"sha256": "x"}}))
    with pytest.raises(BackupError) as refused:
        read_manifest(tmp_path)
    assert "database.tables is missing" in str(refused.value)
    assert "files is missing" in str(refused.value)
