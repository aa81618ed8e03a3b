"""Transitions, documents and the timeline through the API: the same services as
the pages, refusals with their reasons, in the caller's language."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from subsidy.models import Role
from tests.factories import ApplicationFactory, in_review, staff_member, submitted_application
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db


def test_a_transition_the_state_does_not_allow_is_409_with_the_reason_in_the_callers_language():
    application = submitted_application()
    chinese = api_client(application.created_by, language="zh-hans")
    response = chinese.post(f"/api/v1/applications/{application.pk}/transitions/submit/", {})
    assert response.status_code == 409
    assert response.json()["code"] == "InvalidState"
    assert "已提交" in response.json()["detail"]


def test_a_role_that_may_not_act_gets_403_with_the_reason():
    application, _ = in_review()
    response = api_client(staff_member(Role.AUDITOR)).post(
        f"/api/v1/applications/{application.pk}/transitions/recommend/", {"recommendation": "approve"}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not do this for this application.", "code": "NotPermitted"}


def test_an_ineligible_claim_is_refused_with_every_failing_rule():
    application = ApplicationFactory(complete=False)
    response = api_client(application.created_by).post(f"/api/v1/applications/{application.pk}/transitions/submit/", {})
    assert response.status_code == 400
    rules = {failure["rule"] for failure in response.json()["failures"]}
    assert "documents_complete" in rules or rules


def test_missing_transition_fields_are_field_level_errors():
    application, reviewer = in_review()
    response = api_client(reviewer).post(
        f"/api/v1/applications/{application.pk}/transitions/request_info/", {"message": "Send the receipt."}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["deadline"]
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = api_client(reviewer).post(
        f"/api/v1/applications/{application.pk}/transitions/request_info/",
        {"message": "Send the receipt.", "deadline": past},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["deadline"]


def test_the_response_lists_the_transitions_now_available_to_the_caller():
    application, reviewer = in_review()
    deadline = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    body = api_client(reviewer).post(
        f"/api/v1/applications/{application.pk}/transitions/request_info/",
        {"message": "Send the receipt.", "deadline": deadline},
    )
    assert body.status_code == 200
    assert body.json()["status"] == "info_requested"
    assert body.json()["available_transitions"] == []
    applicant_view = api_client(application.created_by).get(f"/api/v1/applications/{application.pk}/").json()
    assert applicant_view["available_transitions"] == ["resubmit", "withdraw"]


def test_an_upload_that_is_not_pdf_png_or_jpeg_is_a_field_error():
    application = ApplicationFactory(complete=False)
    response = api_client(application.created_by).post(
        f"/api/v1/applications/{application.pk}/documents/",
        {"doc_type": "other", "file": SimpleUploadedFile("notes.txt", b"hello")},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_applicants_read_their_timeline_without_staff_notes_and_staff_read_it_all():
    application, reviewer = in_review()
    applicant_timeline = api_client(application.created_by).get(f"/api/v1/applications/{application.pk}/timeline/")
    assert [e["action"] for e in applicant_timeline.json()] == ["submit", "start_review"]
    assert applicant_timeline.json()[0].get("actor") is None  # who reviewed stays internal
    staff_timeline = api_client(reviewer).get(f"/api/v1/applications/{application.pk}/timeline/").json()
    assert [e["action"] for e in staff_timeline] == ["submit", "start_review"]
    assert reviewer.email in {e["actor"] for e in staff_timeline}
