"""Idempotency-Key on the API's POSTs: a retried request acts once and gets the
first answer again; the same key for a different request is refused with 422.
On the real PostgreSQL server, concurrent retries included (own connection per thread)."""

import datetime as dt

import pytest
from django.utils import timezone

from subsidy.models import Application, ApplicationStatus, AuditEntry, Batch, IdempotencyKey, Role
from subsidy.services.idempotency import KEPT_FOR, idempotency_keys_prune
from tests.double_clicks import at_once, settled
from tests.factories import cleared, finance_staff, in_review, payable_application, staff_member, submitted_application
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db(transaction=True)


def transition_url(application, name):
    return f"/api/v1/applications/{application.pk}/transitions/{name}/"


def audit_rows(application, transition):
    return AuditEntry.objects.for_object(application).filter(transition=transition).count()


def test_a_retried_transition_acts_once_and_replays_the_first_response():
    application = submitted_application()
    reviewer = cleared(application, staff_member(Role.REVIEWER))
    client = api_client(reviewer)

    first = client.post(transition_url(application, "start_review"), {}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(transition_url(application, "start_review"), {}, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert audit_rows(application, "start_review") == 1
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW
    # Without a key, the repeat is a new request, refused by the state machine.
    assert client.post(transition_url(application, "start_review"), {}).status_code == 409


def test_the_same_key_for_a_different_request_is_refused_with_422():
    application, reviewer = in_review()
    client = api_client(reviewer)
    data = {"message": "Send the receipt.", "deadline": "2099-01-01"}
    assert client.post(transition_url(application, "request_info"), data, HTTP_IDEMPOTENCY_KEY="k-2").status_code == 200

    other_body = client.post(
        transition_url(application, "request_info"), {**data, "message": "Other"}, HTTP_IDEMPOTENCY_KEY="k-2"
    )
    other_path = client.post(transition_url(application, "withdraw"), {}, HTTP_IDEMPOTENCY_KEY="k-2")

    for response in (other_body, other_path):
        assert response.status_code == 422
        assert response.json()["code"] == "IdempotencyKeyReused"
        assert "different request" in response.json()["detail"]
    assert audit_rows(application, "request_info") == 1


def test_keys_belong_to_their_caller():
    first, reviewer = in_review()
    second, other_reviewer = in_review()
    a = api_client(reviewer).post(transition_url(first, "withdraw"), {}, HTTP_IDEMPOTENCY_KEY="shared")
    b = api_client(other_reviewer).post(transition_url(second, "withdraw"), {}, HTTP_IDEMPOTENCY_KEY="shared")
    # Reviewers may not withdraw: both are refused on their own, not replayed or 422.
    assert a.status_code == b.status_code == 403
    assert IdempotencyKey.objects.count() == 0


def test_a_refused_request_stores_nothing_and_the_key_can_be_used_for_the_corrected_one():
    application, reviewer = in_review()
    client = api_client(reviewer)
    refused = client.post(
        transition_url(application, "request_info"), {"message": "Send the receipt."}, HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.filter(key="k-3").exists()
    corrected = client.post(
        transition_url(application, "request_info"),
        {"message": "Send the receipt.", "deadline": "2099-01-01"},
        HTTP_IDEMPOTENCY_KEY="k-3",
    )
    assert corrected.status_code == 200
    assert IdempotencyKey.objects.get(key="k-3").response_status == 200


def test_an_empty_or_overlong_key_is_a_field_error():
    application, reviewer = in_review()
    client = api_client(reviewer)
    for key in ("  ", "x" * 256):
        response = client.post(transition_url(application, "start_review"), {}, HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 400
        assert list(response.json()) == ["Idempotency-Key"]


def test_concurrent_retries_with_one_key_act_once_and_all_get_the_same_answer():
    application, reviewer = in_review()
    data = {"message": "Send the receipt.", "deadline": "2099-01-01"}

    def retry():
        return api_client(reviewer).post(transition_url(application, "request_info"), data, HTTP_IDEMPOTENCY_KEY="k-4")

    responses = settled(at_once(*[retry] * 4), ())
    assert [r.status_code for r in responses] == [200] * 4
    assert len({r.content for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 3
    assert audit_rows(application, "request_info") == 1
    assert application.information_requests.count() == 1


def test_a_retried_batch_build_builds_one_batch():
    payable_application()
    officer = finance_staff(Role.FINANCE_OFFICER)
    client = api_client(officer)
    first = client.post("/api/v1/batches/", {}, HTTP_IDEMPOTENCY_KEY="build-1")
    again = client.post("/api/v1/batches/", {}, HTTP_IDEMPOTENCY_KEY="build-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Batch.objects.count() == 1


def test_keys_are_forgotten_after_a_day():
    reviewer = staff_member(Role.REVIEWER)
    IdempotencyKey.objects.create(
        user=reviewer, key="old", request_hash="0" * 64, method="POST", path="/", response_status=200
    )
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - KEPT_FOR - dt.timedelta(seconds=1))
    IdempotencyKey.objects.create(
        user=reviewer, key="new", request_hash="0" * 64, method="POST", path="/", response_status=200
    )
    assert idempotency_keys_prune() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
