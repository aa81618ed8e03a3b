"""`/healthz`: is this web process up and can it reach the database?

Answered by a middleware placed first, before host validation, the HTTPS redirect,
sessions and languages: a load balancer or process supervisor probes each process
directly over plain HTTP with whatever Host header it has. The answer is cheap (one
`SELECT 1` on the process's connection) and says nothing about anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTH_PATH = "/healthz"

logger = logging.getLogger(__name__)


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database is not reachable")
        # A broken persistent connection must not stay in this process.
        connection.close_if_unusable_or_obsolete()
        return False
    return True


def health_response() -> HttpResponse:
    ok = database_is_reachable()
    response = JsonResponse({"status": "ok" if ok else "unavailable"}, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)
