"""Rate limits per token: one busy integration runs out of requests, another token
does not; the answer is 429 with Retry-After."""

import pytest

from tests.factories import UserFactory
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db


def test_each_token_has_its_own_allowance(settings):
    settings.API_RATE_LIMIT = "3/min"
    busy, other = api_client(UserFactory()), api_client(UserFactory())
    assert [busy.get("/api/v1/rounds/").status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get("/api/v1/rounds/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"]
    assert other.get("/api/v1/rounds/").status_code == 200


def test_anonymous_callers_are_limited_per_address(settings):
    settings.API_ANONYMOUS_RATE_LIMIT = "2/min"
    client = api_client()
    codes = [client.get("/api/v1/letters/verify/NOSUCHCODE/").status_code for _ in range(3)]
    assert codes == [404, 404, 429]
