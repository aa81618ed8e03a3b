"""What the page and export benchmarks share: Django on a throwaway PostgreSQL, a bare
view as the floor, and timing of pages through the test client."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from devtools.throwaway_postgres import throwaway_postgres


@contextmanager
def django_on_throwaway_postgres(*, urls_module: str | None = None) -> Iterator[dict[str, str]]:
    """Django set up (DEBUG off) on a fresh migrated PostgreSQL; yields the server's
    connection settings. With `urls_module`, that module serves the site's URLs plus
    `bench/bare/`, behind the same middleware."""
    with throwaway_postgres() as server:
        os.environ["DJANGO_DEBUG"] = "false"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        # django-environ cannot parse a socket-path URL: point the connection at it here.
        # (OPTIONS: the SQLite ones of a local run mean nothing to PostgreSQL.)
        settings.DATABASES["default"].update({**server, "NAME": "postgres", "PASSWORD": "", "OPTIONS": {}})
        connections["default"].close()
        del connections["default"]
        if urls_module is not None:
            from django.urls import path

            import subsidy.urls

            sys.modules[urls_module].urlpatterns = [  # type: ignore[attr-defined]
                path("bench/bare/", bare_view),
                path("bench/list/", list_floor_view),
                path("bench/queries/", queries_floor_view),
                *subsidy.urls.urlpatterns,
            ]
            settings.ROOT_URLCONF = urls_module
            settings.ALLOWED_HOSTS = ["testserver"]
        call_command("migrate", verbosity=0)
        try:
            yield server
        finally:
            connections.close_all()  # before the server stops


def bare_view(request: Any) -> Any:
    """The floor: the site's base template and nothing else."""
    from django.shortcuts import render

    return render(request, "base.html", {})


def measure(client: Any, url: str, requests: int, warm_up: int = 10) -> list[float]:
    """Server time of `requests` GETs of `url`, in ms, after warming caches and connections."""
    for _ in range(warm_up):
        _check(client.get(url), url)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        _check(response, url)
    return timings


def _check(response: Any, url: str) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: the benchmark would time an error page")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


LIST_FLOOR_TEMPLATE = """{% extends "base.html" %}{% block content %}<table class="table"><tbody>
{% for a in rows %}<tr><td><a href="/staff/applications/{{ a.pk }}/">{{ a.reference }}</a></td>
<td>{{ a.applicant.name }}</td><td>{{ a.applicant.city }}</td><td>{{ a.funding_round.name }}</td>
<td>{{ a.status }}</td><td>{{ a.submitted_at|date:"Y-m-d" }}</td></tr>
{% endfor %}</tbody></table>{% endblock %}"""


def list_floor_view(request: Any) -> Any:
    """What any 50-row staff list costs here, for scale: the queue's filter (status and
    city) as one plain query, six columns in a template; no roles, count, filter form,
    tasks or actions."""
    from django.http import HttpResponse
    from django.template import engines

    from subsidy.models import Application

    rows = (
        Application.objects.filter(status=request.GET["status"], applicant__city=request.GET["city"])
        .select_related("applicant", "funding_round")
        .order_by("submitted_at", "pk")[:50]
    )
    template = engines["django"].from_string(LIST_FLOOR_TEMPLATE)
    return HttpResponse(template.render({"rows": rows}, request))


def queries_floor_view(request: Any) -> Any:
    """A lower bound for any page that runs `n` queries of its own through the ORM: the
    bare view plus `n` of the cheapest query there is (one column of one row by primary
    key), no template work of its own. Compared with the floor, it shows how much of a
    ratio target the ORM's own cost per query takes, whatever the page does."""
    from django.shortcuts import render

    from subsidy.models import Application

    pk = int(request.GET["pk"])
    for _ in range(int(request.GET["n"])):
        list(Application.objects.filter(pk=pk).values_list("pk", flat=True))
    return render(request, "base.html", {})
