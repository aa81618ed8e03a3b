"""Resubmitting through the API with the applicant's reply to the reviewer."""

import datetime as dt

import pytest
from django.utils import timezone

from subsidy.models import AuditEntry
from subsidy.services import reviews
from subsidy.services.applications import REPLY_MAX_LENGTH
from tests.factories import in_review
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked():
    application, reviewer = in_review()
    reviews.application_request_info(
        application=application,
        by=reviewer,
        message="Send the receipt.",
        deadline=timezone.localdate() + dt.timedelta(days=14),
    )
    return application, reviewer


def resubmit(application, data):
    return api_client(application.created_by).post(
        f"/api/v1/applications/{application.pk}/transitions/resubmit/", data, format="json"
    )


def reply_of(application):
    return AuditEntry.objects.for_object(application).filter(transition="resubmit").get().comment


def test_the_reply_is_stored_and_in_both_timelines(asked):
    application, reviewer = asked
    response = resubmit(application, {"reply": " The receipt is uploaded. "})
    assert response.status_code == 200
    assert response.json()["status"] == "under_review"
    assert reply_of(application) == "The receipt is uploaded."
    timeline = api_client(application.created_by).get(f"/api/v1/applications/{application.pk}/timeline/").json()
    assert (timeline[-1]["action"], timeline[-1]["comment"]) == ("resubmit", "The receipt is uploaded.")
    staff = api_client(reviewer).get(f"/api/v1/applications/{application.pk}/timeline/").json()
    assert staff[-1]["comment"] == "The receipt is uploaded."


def test_a_reply_too_long_is_a_400_on_the_field_and_nothing_changes(asked):
    application, _ = asked
    response = resubmit(application, {"reply": "x" * (REPLY_MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert list(response.json()) == ["reply"]
    application.refresh_from_db()
    assert application.status == "info_requested"
    assert not AuditEntry.objects.for_object(application).filter(transition="resubmit").exists()


def test_older_clients_sending_comment_have_it_kept_as_the_reply(asked):
    application, _ = asked
    assert resubmit(application, {"comment": "Receipt uploaded."}).status_code == 200
    assert reply_of(application) == "Receipt uploaded."


def test_the_schema_documents_the_reply():
    schema = api_client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    properties = schema["components"]["schemas"]["TransitionRequest"]["properties"]
    assert properties["reply"]["maxLength"] == REPLY_MAX_LENGTH
