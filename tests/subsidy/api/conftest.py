from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Throttle counters live in the cache: every test starts with a full allowance."""
    cache.clear()


def api_client(user: Any = None, language: str = "en") -> APIClient:
    """A client that authenticates with the user's API token, as an integration would."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
