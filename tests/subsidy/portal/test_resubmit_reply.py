"""The applicant answers an information request in words when resubmitting: the reply
box, its errors, and the reply in the claim's history."""

import datetime as dt

import pytest
from django.urls import reverse

from subsidy.models import ApplicationStatus, AuditEntry
from subsidy.services import reviews
from subsidy.services.applications import REPLY_MAX_LENGTH
from tests.factories import ApplicationFactory, in_review, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(client):
    application, reviewer = in_review()
    reviews.application_request_info(
        application=application, by=reviewer, message="Upload the P5 form.", deadline=today() + dt.timedelta(14)
    )
    client.force_login(application.created_by)
    return application


def review_url(application):
    return reverse("portal:claim_review", kwargs={"pk": application.pk})


def resubmissions(application):
    return AuditEntry.objects.for_object(application).filter(transition="resubmit")


def test_the_resubmit_step_offers_a_reply_box_and_a_first_submission_does_not(client, asked):
    page = client.get(review_url(asked)).content.decode()
    assert 'name="reply"' in page
    assert f'maxlength="{REPLY_MAX_LENGTH}"' in page
    draft = ApplicationFactory()
    client.force_login(draft.created_by)
    assert 'name="reply"' not in client.get(review_url(draft)).content.decode()


def test_the_reply_is_stored_and_shown_escaped_in_the_applicants_history(client, asked):
    reply = "The P5 form is attached. <script>alert(1)</script>"
    response = client.post(review_url(asked), {"reply": reply, "submit": ""})
    assert response.status_code == 302
    assert resubmissions(asked).get().comment == reply
    asked.refresh_from_db()
    assert asked.status == ApplicationStatus.UNDER_REVIEW
    page = client.get(response.headers["Location"]).content.decode()
    assert "The P5 form is attached. &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_an_empty_reply_is_allowed(client, asked):
    response = client.post(review_url(asked), {"reply": "   ", "submit": ""})
    assert response.status_code == 302
    assert resubmissions(asked).get().comment == ""


def test_a_reply_too_long_is_a_field_error_in_the_users_language_and_nothing_is_stored(client, asked):
    response = client.post(
        review_url(asked), {"reply": "x" * (REPLY_MAX_LENGTH + 1), "submit": ""}, headers={"accept-language": "zh-hans"}
    )
    assert response.status_code == 200
    (message,) = response.context["resubmit_form"].errors["reply"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert 'id="id_reply_error"' in response.content.decode()
    # What was typed stays in the box, to shorten rather than retype.
    assert "x" * 100 in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == ApplicationStatus.INFO_REQUESTED
    assert not resubmissions(asked).exists()
    assert asked.information_requests.get().answered_at is None


def test_a_null_character_is_a_field_error_not_a_server_error(client, asked):
    response = client.post(review_url(asked), {"reply": "a\x00b", "submit": ""})
    assert response.status_code == 200
    assert response.context["resubmit_form"].errors["reply"]
    assert not resubmissions(asked).exists()
