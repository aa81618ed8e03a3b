"""The API's side of the bank files: an unreadable return file is a 400 with reasons,
never a 500; `withdraw` takes a released batch back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from subsidy.models import Application, ApplicationStatus, BankReturn, Batch, BatchStatus, Role
from subsidy.services import batches
from tests.factories import finance_staff, payable_application
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return finance_staff(Role.FINANCE_OFFICER)


def released(officer):
    for _ in range(2):
        payable_application()
    batch = batches.batch_create(by=officer)
    batches.batch_submit(batch=batch, by=officer)
    return batches.batch_release(batch=batch, by=finance_staff(Role.FINANCE_APPROVER))


def export_bytes(batch, fmt, by):
    with batches.batch_export(batch=batch, export_format=fmt, by=by).file as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("the export.xlsx", lambda batch, by: export_bytes(batch, "xlsx", by)),
        ("binary.bin", lambda batch, by: bytes(range(256)) * 8),
        ("gb-garbage.csv", lambda batch, by: b"\x81\x30\xff\xff,\xfe\xfe\r\n"),
    ],
)
def test_an_unreadable_return_file_is_a_400_with_reasons(officer, name, make):
    batch = released(officer)
    data = make(batch, officer)
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    response = api_client(officer).post(
        f"/api/v1/batches/{batch.pk}/bank-returns/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "ReturnFileUnreadable"
    assert body["detail"].startswith("The return file cannot be read:")
    assert body["problems"]
    assert not BankReturn.objects.exists()


def test_withdraw_through_the_api(officer):
    batch = released(officer)
    url = f"/api/v1/batches/{batch.pk}/transitions/withdraw/"
    client = api_client(officer)
    assert client.post(url, {"reason": ""}).status_code == 400
    assert api_client(finance_staff(Role.AUDITOR)).post(url, {"reason": "x"}).status_code == 403
    response = client.post(url, {"reason": "payee name over 140 characters"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == BatchStatus.CANCELLED
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.APPROVED}
    assert client.post(url, {"reason": "again"}).status_code == 409


def test_withdrawing_an_exported_batch_needs_file_not_sent(officer):
    batch = released(officer)
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    url = f"/api/v1/batches/{batch.pk}/transitions/withdraw/"
    client = api_client(officer)
    refused = client.post(url, {"reason": "the file failed its checks"})
    assert refused.status_code == 400
    assert "file_not_sent" in refused.json()
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED
    accepted = client.post(url, {"reason": "the file failed its checks", "file_not_sent": True}, format="json")
    assert accepted.status_code == 200, accepted.content
