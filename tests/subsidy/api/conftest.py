from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from subsidy.services.tokens import api_token_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Throttle counters live in the cache: every test starts with a full allowance."""
    cache.clear()


def api_client(user: Any = None, language: str = "en") -> APIClient:
    """A client that authenticates with the user's API token, as an integration would."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def api_key(user: Any) -> str:
    """A new personal API token's key for `user`, made as the account's page would (staff
    with their second factor proved)."""
    _, key = api_token_create(user=user, name="tests", ip=None, second_factor=True)
    return key
