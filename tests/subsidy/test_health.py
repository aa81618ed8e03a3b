"""/healthz answers probes before host checks, the HTTPS redirect and sessions."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_health_answers_ok_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_health_answers_a_probe_by_address_over_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["subsidy.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200


@pytest.mark.django_db
def test_only_the_exact_path_and_reading_methods_are_answered(client):
    assert client.post("/healthz").status_code != 200
    assert client.get("/healthz/more").status_code == 404
