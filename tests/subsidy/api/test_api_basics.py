"""The API's wiring: schema and docs, token authentication, pagination, filtering and
ordering, ETag/If-Match on updates, and errors in the caller's language."""

import datetime as dt

import pytest
from django.utils import timezone

from subsidy.models import ApiToken, Application, ApplicationStatus, Role
from subsidy.models.tokens import api_token_hash
from tests.factories import ApplicantFactory, ApplicationFactory, FundingRoundFactory, UserFactory, staff_member
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db


def test_schema_and_documentation_pages_are_served():
    client = api_client()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/applications/{id}/transitions/{name}/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


def test_the_schema_shows_the_scheme_and_the_patent_office_everywhere_they_apply():
    schema = api_client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listed = schema["paths"]["/api/v1/applications/"]["get"]["parameters"]
    assert "scheme" in {parameter["name"] for parameter in listed}
    components = schema["components"]["schemas"]
    assert {"scheme", "patent_office", "patent_number"} <= set(components["ApplicationList"]["properties"])
    assert {"office", "number", "priority_office", "priority_number"} <= set(components["Patent"]["properties"])
    assert "other_public_support" in components["Declarations"]["properties"]
    assert "scheme" in components["BatchCreateRequest"]["properties"]


def test_a_token_is_obtained_with_email_and_password_and_then_authenticates():
    user = UserFactory(username="api@example.cn", email="api@example.cn")
    client = api_client()
    response = client.post("/api/v1/auth/token/", {"username": "api@example.cn", "password": "correct-horse-battery"})
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/applications/").status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == api_token_hash(response.json()["token"])


def test_without_credentials_the_api_answers_401():
    response = api_client().get("/api/v1/applications/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_the_browser_session_works_too(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/api/v1/rounds/", HTTP_ACCEPT="application/json").status_code == 200


def test_rounds_are_paginated_filtered_and_ordered():
    today = timezone.localdate()
    FundingRoundFactory(code="old", opens_on=today - dt.timedelta(days=400), closes_on=today - dt.timedelta(days=200))
    FundingRoundFactory(code="open")
    client = api_client(UserFactory())
    page = client.get("/api/v1/rounds/", {"ordering": "opens_on", "page_size": 1}).json()
    assert page["count"] == 2
    assert [r["code"] for r in page["results"]] == ["old"]
    assert page["next"] is not None
    open_now = client.get("/api/v1/rounds/", {"open_on": today.isoformat()}).json()
    assert [(r["code"], r["is_open"]) for r in open_now["results"]] == [("open", True)]


def test_applicants_see_only_their_own_profiles_and_update_them_with_if_match():
    user = UserFactory()
    own = ApplicantFactory(owner=user)
    ApplicantFactory(owner=UserFactory())
    client = api_client(user)
    listing = client.get("/api/v1/applicants/").json()
    assert [a["id"] for a in listing["results"]] == [own.pk]
    read = client.get(f"/api/v1/applicants/{own.pk}/")
    etag = read["ETag"]
    assert client.patch(f"/api/v1/applicants/{own.pk}/", {"contact_person": "李四"}).status_code == 428
    changed = client.patch(f"/api/v1/applicants/{own.pk}/", {"contact_person": "李四"}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["contact_person"] == "李四"
    assert changed["ETag"] != etag
    stale = client.patch(f"/api/v1/applicants/{own.pk}/", {"contact_person": "王五"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


def test_an_invalid_identifier_is_a_field_level_400_in_the_callers_language():
    user = UserFactory()
    own = ApplicantFactory(owner=user)
    client = api_client(user, language="zh-hans")
    etag = client.get(f"/api/v1/applicants/{own.pk}/")["ETag"]
    response = client.patch(f"/api/v1/applicants/{own.pk}/", {"uscc": "91440300MA5FXXXXX1"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert list(response.json()) == ["uscc"]
    english = api_client(user, language="en").patch(
        f"/api/v1/applicants/{own.pk}/", {"uscc": "91440300MA5FXXXXX1"}, HTTP_IF_MATCH=etag
    )
    assert response.json()["uscc"] != english.json()["uscc"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["uscc"][0])


def draft_payload(application):
    patent = application.patent
    return {
        "patent": {
            "number": "HK1234567",
            "route": "R",
            "designated_office": "CNIPA",
            "designated_application_number": patent.designated_application_number,
            "title_zh": "一种新装置",
            "grant_date": patent.grant_date.isoformat(),
            "proprietors": ["深圳市测试科技有限公司"],
        },
        "cost_items": [
            {
                "cost_type": "official_fee",
                "amount": "1200.00",
                "currency": "CNY",
                "paid_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
                "receipt_number": "R-1",
            }
        ],
        "declarations": {"true_and_complete": True, "no_double_funding": True, "consent_to_checks": False},
    }


def test_an_applicant_creates_a_draft_and_updates_it_while_it_is_a_draft():
    user = UserFactory()
    applicant = ApplicantFactory(owner=user)
    funding_round = FundingRoundFactory()
    client = api_client(user)
    created = client.post("/api/v1/applications/", {"applicant": applicant.pk, "funding_round": funding_round.pk})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert "submit" in body["available_transitions"]
    template = ApplicationFactory(complete=False)
    payload = draft_payload(template)
    payload["patent"]["designated_application_number"] = template.patent.designated_application_number
    template.delete()
    updated = client.patch(f"/api/v1/applications/{body['id']}/", payload, HTTP_IF_MATCH=created["ETag"])
    assert updated.status_code == 200, updated.json()
    data = updated.json()
    assert data["patent"]["number"] == "HK1234567"
    assert data["patent"]["proprietors"] == ["深圳市测试科技有限公司"]
    assert [i["amount"] for i in data["cost_items"]] == ["1200.00"]
    assert data["declarations"] == {
        "true_and_complete": True,
        "no_double_funding": True,
        "consent_to_checks": False,
        "other_public_support": "0.00",
    }
    # The first client's tag is stale now: a second write based on it is refused.
    again = client.patch(f"/api/v1/applications/{body['id']}/", {"cost_items": []}, HTTP_IF_MATCH=created["ETag"])
    assert again.status_code == 412


def test_patent_errors_are_reported_under_patent():
    application = ApplicationFactory(complete=False)
    client = api_client(application.created_by)
    etag = client.get(f"/api/v1/applications/{application.pk}/")["ETag"]
    payload = {"patent": {**draft_payload(application)["patent"], "number": "XX12"}}
    response = client.patch(f"/api/v1/applications/{application.pk}/", payload, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert list(response.json()["patent"]) == ["number"]


def test_a_submitted_claim_can_no_longer_be_updated():
    from tests.factories import submitted_application

    application = submitted_application()
    client = api_client(application.created_by)
    etag = client.get(f"/api/v1/applications/{application.pk}/")["ETag"]
    response = client.patch(
        f"/api/v1/applications/{application.pk}/",
        {"declarations": {"true_and_complete": True, "no_double_funding": True, "consent_to_checks": True}},
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 409
    assert "submitted" in response.json()["detail"]


def test_application_lists_filter_and_order():
    user = UserFactory()
    applicant = ApplicantFactory(owner=user)
    first = ApplicationFactory(created_by=user, applicant=applicant, complete=False)
    second = ApplicationFactory(created_by=user, applicant=applicant, complete=False)
    ApplicationFactory(complete=False)  # someone else's
    client = api_client(user)
    listing = client.get("/api/v1/applications/", {"ordering": "created_at"}).json()
    assert [a["id"] for a in listing["results"]] == [first.pk, second.pk]
    by_round = client.get("/api/v1/applications/", {"funding_round": second.funding_round_id}).json()
    assert [a["id"] for a in by_round["results"]] == [second.pk]
    assert client.get("/api/v1/applications/", {"status": "paid"}).json()["count"] == 0
    assert client.get("/api/v1/applications/", {"status": "nonsense"}).status_code == 400


def test_staff_see_submitted_claims_but_not_drafts():
    from tests.factories import submitted_application

    submitted = submitted_application()
    draft = ApplicationFactory(complete=False)
    client = api_client(staff_member(Role.AUDITOR))
    ids = [a["id"] for a in client.get("/api/v1/applications/").json()["results"]]
    assert ids == [submitted.pk]
    assert client.get(f"/api/v1/applications/{draft.pk}/").status_code == 404
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.SUBMITTED


def test_the_browsable_api_renders_for_a_signed_in_browser(client):
    application = ApplicationFactory(complete=False)
    client.force_login(application.created_by)
    for url in (
        "/api/v1/",
        "/api/v1/rounds/",
        "/api/v1/applications/",
        f"/api/v1/applications/{application.pk}/",
        f"/api/v1/applications/{application.pk}/documents/",
        f"/api/v1/applications/{application.pk}/timeline/",
    ):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html"), url


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_more_cost_items_than_the_limit_is_a_400_under_cost_items(settings):
    settings.MAX_COST_ITEMS_PER_CLAIM = 2
    draft = ApplicationFactory(complete=False)
    client = api_client(draft.created_by)
    path = f"/api/v1/applications/{draft.pk}/"
    item = {"cost_type": "agency_fee", "amount": "10.00", "currency": "CNY", "paid_on": "2026-01-05"}
    refused = client.patch(path, {"cost_items": [item] * 3}, format="json", HTTP_IF_MATCH=client.get(path)["ETag"])
    assert refused.status_code == 400, refused.json()
    assert "cost_items" in refused.json()
    assert not draft.cost_items.exists()  # nothing stored
