"""Rate limits per token: each API token (or signed-in browser session) has its own
budget, so one busy integration cannot starve the others; anonymous callers (letter
verification) are limited per address. Rates come from settings.API_RATE_LIMIT and
settings.API_ANONYMOUS_RATE_LIMIT and are read on every request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from subsidy.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def __init__(self) -> None:
        # The rate depends on the caller: chosen in allow_request.
        pass

    def allow_request(self, request: Request, view: Any) -> bool:
        authenticated = bool(request.user and request.user.is_authenticated)
        self.rate = settings.API_RATE_LIMIT if authenticated else settings.API_ANONYMOUS_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = "addr:" + (self.get_ident(request) or "unknown")
        return self.cache_format % {"scope": self.scope, "ident": ident}
