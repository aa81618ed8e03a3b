"""JSON bodies nested deeper than settings.API_JSON_MAX_DEPTH are a 400 with a clear
message, not a RecursionError (500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from subsidy.api.parsers import json_depth_exceeds
from tests.factories import UserFactory
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_a_400_not_a_500(opening):
    client = api_client(UserFactory(), language="en")
    body = opening * 100_000
    response = client.post(reverse("api:application-list"), data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_the_depth_limit_counts_brackets_outside_strings_only(settings):
    assert not json_depth_exceeds('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"]]]"}', 3)
    assert json_depth_exceeds("[[[[]]]]", 3)
    assert not json_depth_exceeds("[[[]]] [[[]]]", 3)


def test_ordinary_json_still_parses():
    client = api_client(UserFactory(), language="en")
    response = client.post(reverse("api:application-list"), data={"applicant": 0}, format="json")
    assert response.status_code == 400  # field errors, so the body was read
    assert "applicant" in response.json()
