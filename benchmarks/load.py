"""Benchmark: the production profile under load. PostgreSQL with 100,000 applications
(seeded as benchmarks/queue.py does), gunicorn with the production settings on loopback,
and a small async HTTP client playing applicants browsing their claims, reviewers
opening the queue and cases, and approvers taking decide tasks and approving them
(real POSTs with CSRF tokens read from the pages). First the same number of clients
hit a bare Django view (the site's base template behind the same middleware): the
floor. Latency is measured at the client, over loopback; every request says it came
through the TLS proxy (X-Forwarded-Proto: https).

Run: .venv/bin/python benchmarks/load.py [--rows 100000] [--clients 8] [--seconds 30] [--web-workers 4]
Last line: `load: N req/s mixed (floor M req/s), p50/p95/p99 ..., errors 0, ...`
"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/queue.py is named like the standard library's `queue`: keep this folder
# off the import path so that `import queue` finds the real module.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import http.cookiejar  # noqa: E402
import importlib.util  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from devtools.bench import django_on_throwaway_postgres  # noqa: E402
from devtools.production import PROXY_HEADERS, production_stack  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
APPLICANT_USERS = 40
APPROVERS = 2
# What the virtual users do, by weight: most traffic is applicants and reviewers reading.
JOURNEYS = {"applicant": 5, "reviewer": 4, "approver": 1}


# --------------------------------------------------------------------------------------
# Data and sessions (in this process, through the ORM, before gunicorn starts)
# --------------------------------------------------------------------------------------


def _queue_benchmark() -> Any:
    """benchmarks/queue.py, loaded under another name than the standard library's queue."""
    spec = importlib.util.spec_from_file_location("bench_queue", HERE / "queue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _session_cookie_for(user: Any) -> str:
    """A signed-in session for `user` (staff also past their second factor), written
    server-side by devtools.sessions; returns the value of the session cookie."""
    from devtools.sessions import signed_in_session

    return signed_in_session(user, verified=True)


@dataclass
class World:
    applicants: list[tuple[str, list[int]]]  # session key, the claims it may open
    reviewer: str
    cases: list[int]
    approvers: list[str]
    decide_tasks: list[int]


def seed(rows: int) -> World:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from viewflow.workflow.models import Task

    from subsidy.models import EDITABLE_STATUSES, Applicant, ApplicantAccess, Application
    from workflows.flows import ApplicationFlow

    data = _queue_benchmark().seed(rows)
    users = get_user_model()
    applicants = []
    for n, applicant in enumerate(Applicant.objects.order_by("pk")[:APPLICANT_USERS]):
        user = users.objects.create_user(username=f"owner{n}@bench", email=f"owner{n}@bench", password="x")  # noqa: S106
        user.groups.add(Group.objects.get(name="applicant"))
        ApplicantAccess.objects.create(user=user, applicant=applicant, role="owner")
        # Claims still being edited open their edit steps (a redirect): the rest their page.
        claims = list(
            Application.objects.filter(applicant=applicant)
            .exclude(status__in=EDITABLE_STATUSES)
            .values_list("pk", flat=True)
        )
        applicants.append((_session_cookie_for(user), claims))
    approvers = []
    for n in range(APPROVERS):
        user = users.objects.create_user(username=f"approver{n}@bench", email=f"approver{n}@bench", password="x")  # noqa: S106
        user.groups.add(Group.objects.get(name="approver"))
        approvers.append(_session_cookie_for(user))
    # Claims awaiting a decision carry the reviewer's recommendation to approve.
    Application.objects.filter(status="awaiting_decision").update(
        recommendation="approve", recommended_amount=Decimal("4000.00")
    )
    decide_tasks = list(
        Task.objects.filter(flow_task=ApplicationFlow.decide, status="NEW", owner=None)
        .order_by("-pk")
        .values_list("pk", flat=True)[:5000]
    )
    cases = list(
        Application.objects.filter(status="under_review", applicant__city="shenzhen")
        .order_by("-pk")
        .values_list("pk", flat=True)[:500]
    )
    return World(
        applicants=applicants,
        reviewer=_session_cookie_for(data["reviewer"]),
        cases=cases,
        approvers=approvers,
        decide_tasks=decide_tasks,
    )


# --------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    first_errors: list[str] = field(default_factory=list)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(f"{kind}: {what}")

    @property
    def requests(self) -> int:
        return sum(len(t) for t in self.timings.values())


class Browser:
    """One person's browser behind the TLS proxy: its own cookies (sent whether or not
    they are marked Secure, as the proxy would), the proxy's header, the https origin."""

    def __init__(self, client: httpx.AsyncClient, results: Results, session: str | None = None) -> None:
        self.client = client
        self.results = results
        self.cookies: dict[str, str] = {"sessionid": session} if session else {}

    async def request(self, kind: str, method: str, url: str, expect: int, **kwargs: Any) -> httpx.Response | None:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            self.results.error(kind, repr(error))
            return None
        self.results.timings[kind].append((time.perf_counter() - started) * 1000)
        for name, value in response.cookies.items():
            self.cookies[name] = value
        if response.status_code != expect:
            self.results.error(kind, f"{method} {url} answered {response.status_code}, expected {expect}")
            return None
        return response

    async def get(self, kind: str, url: str) -> httpx.Response | None:
        return await self.request(kind, "GET", url, 200)

    async def post_form(self, kind: str, url: str, page: httpx.Response, data: dict[str, str]) -> httpx.Response | None:
        token = CSRF_FIELD.search(page.text)
        if token is None:
            self.results.error(kind, f"no CSRF token on {page.url.path}")
            return None
        return await self.request(kind, "POST", url, 302, data={"csrfmiddlewaretoken": token.group(1), **data})


async def applicant_journey(browser: Browser, claims: list[int], rng: random.Random) -> None:
    if await browser.get("applicant: my claims", "/portal/applications/"):
        await browser.get("applicant: claim", f"/portal/applications/{rng.choice(claims)}/")


async def reviewer_journey(browser: Browser, cases: list[int], rng: random.Random) -> None:
    if await browser.get("reviewer: queue", "/staff/queue/?status=submitted&city=shenzhen"):
        await browser.get("reviewer: case", f"/staff/applications/{rng.choice(cases)}/")


async def approver_journey(browser: Browser, tasks: list[int]) -> None:
    """Take a decide task from the queue, declare no conflict, approve: as on the pages."""
    if not tasks:
        return
    task = tasks.pop()
    queue = await browser.get("approver: queue", "/staff/queue/")
    if queue is None:
        return
    url = f"/staff/tasks/{task}/"
    if await browser.post_form("approver: take task", f"{url}assign/", queue, {}) is None:
        return
    conflict = await browser.get("approver: task page", url)
    if (
        conflict is None
        or await browser.post_form(
            "approver: declare no conflict", url, conflict, {"conflict-has_conflict": "no", "conflict-note": ""}
        )
        is None
    ):
        return
    decide = await browser.get("approver: task page", url)
    if decide is None:
        return
    done = await browser.post_form("approver: approve", url, decide, {"action": "approve", "approve-comment": ""})
    if done is not None and not done.headers.get("location", "").endswith("/staff/inbox/"):
        browser.results.error("approver: approve", f"task {task} was not approved: {done.headers.get('location')}")


async def run_load(
    base_url: str, world: World | None, *, clients: int, seconds: float, max_requests: int, seed_value: int
) -> tuple[Results, float]:
    """`clients` virtual users for `seconds` (at most `max_requests` requests); with no
    world, each GETs the bare view. Returns the results and the time it took."""
    results = Results()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {**PROXY_HEADERS, "Origin": base_url.replace("http://", "https://")}
    # Each Browser keeps its own cookies: the shared client keeps none.
    jar = http.cookiejar.CookieJar(policy=_KeepNoCookies())
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=60, cookies=jar) as client:
        deadline = time.monotonic() + seconds
        weights = list(JOURNEYS.values())

        async def user(n: int) -> None:
            rng = random.Random(seed_value + n)
            browsers: dict[str, Browser] = {}
            if world is not None:
                session, claims = world.applicants[n % len(world.applicants)]
                browsers = {
                    "applicant": Browser(client, results, session),
                    "reviewer": Browser(client, results, world.reviewer),
                    "approver": Browser(client, results, world.approvers[n % len(world.approvers)]),
                }
            while time.monotonic() < deadline and results.requests < max_requests:
                if world is None:
                    await Browser(client, results).get("bare view", "/bench/bare/")
                    continue
                journey = rng.choices(list(JOURNEYS), weights)[0]
                if journey == "applicant":
                    await applicant_journey(browsers["applicant"], claims, rng)
                elif journey == "reviewer":
                    await reviewer_journey(browsers["reviewer"], world.cases, rng)
                else:
                    await approver_journey(browsers["approver"], world.decide_tasks)

        started = time.monotonic()
        await asyncio.gather(*(user(n) for n in range(clients)))
        return results, time.monotonic() - started


class _KeepNoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def describe(values: list[float]) -> str:
    if not values:
        return "no requests"
    return f"p50 {percentile(values, 50):.0f} / p95 {percentile(values, 95):.0f} / p99 {percentile(values, 99):.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--web-workers", type=int, default=4)
    args = parser.parse_args()

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    # The sessions written here must be readable by gunicorn: one secret for both.
    secret = secrets.token_urlsafe(50)
    os.environ["DJANGO_SECRET_KEY"] = secret
    with django_on_throwaway_postgres() as server:
        started = time.perf_counter()
        world = seed(args.rows)
        from django.db import connections

        connections.close_all()
        print(f"seeded {args.rows} applications in {time.perf_counter() - started:.1f} s")
        with production_stack(
            database=server,
            settings_module="devtools.bench_settings",
            web_workers=args.web_workers,
            task_workers=0,  # letters and emails wait in the queue: the web processes get the cores
            scheduler=False,
            migrate=False,
            extra_env={"DJANGO_SECRET_KEY": secret},
        ) as stack:
            print(f"gunicorn with {args.web_workers} workers on {stack.base_url}; {args.clients} clients")
            # Warm up: every worker has imported its templates and opened its connection.
            asyncio.run(run_load(stack.base_url, None, clients=args.clients, seconds=3, max_requests=200, seed_value=0))
            floor, floor_time = asyncio.run(
                run_load(
                    stack.base_url,
                    None,
                    clients=args.clients,
                    seconds=args.seconds,
                    max_requests=args.max_requests,
                    seed_value=1,
                )
            )
            approvals_before = len(world.decide_tasks)
            mixed, mixed_time = asyncio.run(
                run_load(
                    stack.base_url,
                    world,
                    clients=args.clients,
                    seconds=args.seconds,
                    max_requests=args.max_requests,
                    seed_value=2,
                )
            )
            stack.check_running()
        approvals = approvals_before - len(world.decide_tasks)

    for kind in sorted(mixed.timings):
        print(f"{kind}: {len(mixed.timings[kind])} requests, {describe(mixed.timings[kind])}")
    for line in floor.first_errors + mixed.first_errors:
        print(f"error: {line}")
    errors = sum(floor.errors.values()) + sum(mixed.errors.values())
    all_mixed = [t for values in mixed.timings.values() for t in values]
    floor_rate, mixed_rate = floor.requests / floor_time, mixed.requests / mixed_time
    queue, case = mixed.timings.get("reviewer: queue", []), mixed.timings.get("reviewer: case", [])
    approve, bare = mixed.timings.get("approver: approve", []), floor.timings.get("bare view", [])
    print(
        f"load: {mixed_rate:.0f} req/s mixed ({describe(all_mixed)}; queue {describe(queue)}, "
        f"case {describe(case)}, approve {describe(approve)}), "
        f"{approvals} approvals; floor (bare view) {floor_rate:.0f} req/s ({describe(bare)}); "
        f"ratio {floor_rate / mixed_rate:.1f}; errors {errors}; "
        f"{args.clients} clients, {args.web_workers} gunicorn workers, {args.rows} applications"
    )


if __name__ == "__main__":
    main()
