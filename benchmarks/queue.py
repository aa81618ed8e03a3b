"""Benchmark: staff list (filtered by state and city) and case page over 100,000
applications on a throwaway PostgreSQL, against a bare view rendering the same base
template in the same run. Server time through Django's test client (no network).

Run: .venv/bin/python benchmarks/queue.py [--rows 100000] [--requests 200]
Last line: `queue: ... ratio ...` (targets: each page within 3x of the bare view, p95 < 50 ms).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's `queue`: keep its folder off the
# import path so that `import queue` elsewhere finds the real module.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from devtools.bench import django_on_throwaway_postgres, measure, p95  # noqa: E402

CITIES = ["shenzhen", "guangzhou", "foshan", "dongguan", "zhuhai", "huizhou", "zhongshan", "jiangmen"]
STATUSES = ["submitted", "under_review", "awaiting_decision", "info_requested", "approved", "rejected", "withdrawn"]


def seed(rows: int) -> dict[str, Any]:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from subsidy.demo_data import demo_uscc
    from subsidy.models import Applicant, Application, FundingRound, Patent
    from subsidy.models.schemes import hk_standard_patent_scheme

    today = timezone.localdate()
    user_model = get_user_model()
    reviewer = user_model.objects.create_user(username="reviewer@bench", email="reviewer@bench", password="x")  # noqa: S106
    reviewer.groups.add(Group.objects.get(name="reviewer"))
    filer = user_model.objects.create_user(username="filer@bench", email="filer@bench", password="x")  # noqa: S106
    funding_round = FundingRound.objects.create(
        scheme=hk_standard_patent_scheme(),
        name="Benchmark round",
        code="bench",
        budget=Decimal("100000000"),
        opens_on=today - dt.timedelta(days=300),
        closes_on=today + dt.timedelta(days=60),
        grant_date_from=today - dt.timedelta(days=700),
        grant_date_to=today,
    )
    applicants = Applicant.objects.bulk_create(
        Applicant(
            kind="organisation",
            name=f"广东基准测试科技有限公司{i}",
            uscc=demo_uscc("440300", f"MB{i:07d}"),
            city=CITIES[i % len(CITIES)],
            address="广东省",
            contact_person="张",
            phone="13800138000",
            email=f"a{i}@bench.example",
        )
        for i in range(2000)
    )
    now = timezone.now()
    batch = 10_000
    for start in range(0, rows, batch):
        size = min(batch, rows - start)
        patents = Patent.objects.bulk_create(
            Patent(
                number=f"HK{2000000 + start + i}",
                route="O",
                title_zh="基准测试专利",
                grant_date=today - dt.timedelta(days=100),
            )
            for i in range(size)
        )
        applications = []
        for i, patent in enumerate(patents):
            n = start + i
            status = STATUSES[n % len(STATUSES)]
            applications.append(
                Application(
                    reference=f"GDHK-2026-{n + 1:06d}",
                    funding_round=funding_round,
                    applicant=applicants[n % len(applicants)],
                    patent=patent,
                    created_by=filer,
                    submitted_at=now - dt.timedelta(minutes=n),
                    requested_amount=Decimal("4000.00"),
                    approved_amount=Decimal("4000.00") if status == "approved" else None,
                    reviewer=reviewer if status != "submitted" else None,
                )
            )
        Application.objects.bulk_create(applications)
        # bulk_create writes the default status; set the real ones in one statement per status.
        for offset, status in enumerate(STATUSES):
            ids = [a.pk for k, a in enumerate(applications) if (start + k) % len(STATUSES) == offset]
            Application.objects.filter(pk__in=ids).update(status=status)
    seed_flow_tasks(reviewer)
    from django.db import connection

    from workflows.queue_entries import queue_entries_refresh

    queue_entries_refresh()  # the tasks were written in bulk, past the receivers that keep it

    with connection.cursor() as cursor:
        # As autovacuum leaves a database soon after a mass write: statistics, and the
        # visibility map that lets counts read the index alone (the status updates above
        # left a dead version of every claim row).
        cursor.execute("VACUUM ANALYZE")
    case = Application.objects.filter(status="under_review", applicant__city="shenzhen").order_by("-id").first()
    return {"reviewer": reviewer, "case": case}


def seed_flow_tasks(reviewer: Any) -> None:
    """ApplicationFlow runs with an open review or decide task for every claim in
    review, written in bulk (the flow's own start would take minutes for 100,000)."""
    from django.db import connection
    from viewflow.workflow.models import Process, Task

    from subsidy.models import Application
    from workflows.flows import ApplicationFlow

    open_claims = list(
        Application.objects.filter(status__in=["submitted", "under_review", "awaiting_decision", "info_requested"])
        .order_by("pk")
        .values_list("pk", "status")
    )
    batch = 10_000
    for start in range(0, len(open_claims), batch):
        chunk = open_claims[start : start + batch]
        processes = Process.objects.bulk_create(Process(flow_class=ApplicationFlow, status="NEW") for _ in chunk)
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO workflows_applicationprocess (process_ptr_id, application_id) VALUES (%s, %s)",
                [(process.pk, pk) for process, (pk, _) in zip(processes, chunk, strict=True)],
            )
        Task.objects.bulk_create(
            Task(
                process=process,
                flow_task=ApplicationFlow.decide if status == "awaiting_decision" else ApplicationFlow.review,
                flow_task_type="HUMAN",
                status="NEW" if status in ("submitted", "awaiting_decision") else "ASSIGNED",
                owner=None if status in ("submitted", "awaiting_decision") else reviewer,
            )
            for process, (_, status) in zip(processes, chunk, strict=True)
        )


def queries_of(client: Any, url: str) -> int:
    """How many queries one GET of `url` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with django_on_throwaway_postgres(urls_module=__name__):
        from django.test import Client

        started = time.perf_counter()
        data = seed(args.rows)
        print(f"seeded {args.rows} applications in {time.perf_counter() - started:.1f} s")

        client = Client()
        client.force_login(data["reviewer"])
        if os.environ.get("BENCH_QUERIES"):
            from django.db import connection as conn
            from django.test.utils import CaptureQueriesContext

            url = os.environ["BENCH_QUERIES"].replace("CASE", str(data["case"].pk))
            client.get(url)
            with CaptureQueriesContext(conn) as captured:
                client.get(url)
            for q in captured.captured_queries:
                print(q["time"], q["sql"][:300])
            return
        if os.environ.get("BENCH_EXPLAIN"):
            from subsidy.selectors import application_filter
            from workflows import selectors as flow_selectors

            reviewer = data["reviewer"]
            entries = flow_selectors.queue_entries(reviewer, flow_selectors.user_roles(reviewer)).filter(
                application_filter(city_field="city", status="submitted", city="shenzhen")
            )
            rows = entries.values_list("task_id", *(f"application__{f}" for f in flow_selectors.ROW_CLAIM_FIELDS))
            print(rows[:50].explain(analyze=True))
            counted = entries.order_by().values("pk")[:1001]  # as CappedPaginator counts
            print(counted.count(), counted.explain(analyze=True))
            return
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            url = os.environ["BENCH_PROFILE"].replace("CASE", str(data["case"].pk))
            measure(client, url, 5)
            profiler = cProfile.Profile()
            profiler.enable()
            measure(client, url, 30)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("BENCH_LINES", "40")))
            return
        urls = {
            "bare": "/bench/bare/",
            "plain list": "/bench/list/?status=submitted&city=shenzhen",
            "queue": "/staff/queue/?status=submitted&city=shenzhen",
            "list": "/staff/applications/?status=under_review&city=shenzhen",
            "case": f"/staff/applications/{data['case'].pk}/",
        }
        results = {name: measure(client, url, args.requests) for name, url in urls.items()}
        # The ORM's own cost per query, as a lower bound: the bare view plus as many of the
        # cheapest query as each page runs beyond the bare view's (session and user).
        bare_queries = queries_of(client, urls["bare"])
        own_queries = {name: queries_of(client, urls[name]) - bare_queries for name in ("queue", "case")}
        for name, count in own_queries.items():
            floor_url = f"/bench/queries/?n={count}&pk={data['case'].pk}"
            results[f"{name} queries"] = measure(client, floor_url, args.requests)

    bare = statistics.median(results["bare"])
    for name in ("plain list", "queue", "list", "case"):
        print(f"{name}: median {statistics.median(results[name]):.1f} ms, p95 {p95(results[name]):.1f} ms")
    for name, count in own_queries.items():
        lower = statistics.median(results[f"{name} queries"])
        print(
            f"lower bound for {name} (bare view + its {count} own queries as one-row ORM queries): "
            f"median {lower:.1f} ms, ratio {lower / bare:.1f}"
        )
    queue, case = results["queue"], results["case"]
    print(
        f"queue: median {statistics.median(queue):.1f} ms, p95 {p95(queue):.1f} ms; "
        f"case: median {statistics.median(case):.1f} ms, p95 {p95(case):.1f} ms; "
        f"floor (bare view) median {bare:.1f} ms; "
        f"ratio queue {statistics.median(queue) / bare:.1f}, case {statistics.median(case) / bare:.1f}"
    )


if __name__ == "__main__":
    main()
