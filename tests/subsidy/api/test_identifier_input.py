"""The API reads identifiers as the forms do (forms.fields.IdentifierField): sent with
spaces or in lower case they are accepted, and a length error counts the characters
that would be stored."""

from __future__ import annotations

import pytest

from subsidy.models import Applicant
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory
from tests.identifiers import valid_uscc
from tests.subsidy.api.conftest import api_client
from tests.subsidy.api.test_api_basics import draft_payload

pytestmark = pytest.mark.django_db

USCC = valid_uscc("440100", "MA0000077")


def spaced(code: str, group: int = 4) -> str:
    return "  " + " ".join(code[i : i + group] for i in range(0, len(code), group)) + " "


def profile(**overrides: str) -> dict[str, str]:
    name = "广州市接口测试科技有限公司"
    return {
        "kind": "organisation",
        "name": name,
        "uscc": USCC,
        "city": "guangzhou",
        "address": "广州市天河区 1 号",
        "contact_person": "张三",
        "phone": "020-38881234",
        "email": "api@example.cn",
        "bank_account_name": name,
        "bank_name": "中国工商银行广州分行",
        "bank_account_number": "3602000109000123456",
        "cnaps_code": "102581000013",
        **overrides,
    }


def test_identifiers_sent_with_spaces_and_in_lower_case_are_stored_as_the_codes():
    client = api_client(UserFactory())
    response = client.post(
        "/api/v1/applicants/",
        profile(
            uscc=spaced(USCC).lower(),
            cnaps_code=spaced("102581000013", 3),
            bank_account_number=spaced("3602000109000123456") + "    ",
        ),
    )
    assert response.status_code == 201, response.json()
    stored = Applicant.objects.get(pk=response.json()["id"])
    assert (stored.uscc, stored.cnaps_code, stored.bank_account_number) == (
        USCC,
        "102581000013",
        "3602000109000123456",
    )


def test_a_too_long_identifier_is_a_field_error_counting_the_cleaned_characters():
    user = UserFactory()
    own = ApplicantFactory(owner=user)
    client = api_client(user)
    etag = client.get(f"/api/v1/applicants/{own.pk}/")["ETag"]
    pasted = spaced(USCC + "1")  # 19 characters without the spaces, 26 with them
    response = client.patch(f"/api/v1/applicants/{own.pk}/", {"uscc": pasted}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert list(response.json()) == ["uscc"]
    [message] = response.json()["uscc"]
    assert "18" in message and "19" in message and "26" not in message
    own.refresh_from_db()
    assert own.uscc != USCC


def test_a_patent_number_with_spaces_and_in_lower_case_is_accepted():
    application = ApplicationFactory(complete=False)
    client = api_client(application.created_by)
    etag = client.get(f"/api/v1/applications/{application.pk}/")["ETag"]
    typed = "   hk      1234567        b    "  # 31 characters as sent, the field stores 20
    payload = {"patent": {**draft_payload(application)["patent"], "number": typed}}
    response = client.patch(f"/api/v1/applications/{application.pk}/", payload, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["patent"]["number"] == "HK1234567 B"


def test_a_patent_number_too_long_after_cleaning_counts_the_cleaned_characters():
    application = ApplicationFactory(complete=False)
    client = api_client(application.created_by)
    etag = client.get(f"/api/v1/applications/{application.pk}/")["ETag"]
    payload = {"patent": {**draft_payload(application)["patent"], "number": "hk 1234567 " + "b" * 22}}
    response = client.patch(f"/api/v1/applications/{application.pk}/", payload, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    [message] = response.json()["patent"]["number"]
    assert "30" in message and "33" in message
