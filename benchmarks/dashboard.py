"""Benchmark: the scheme reports dashboard over 100,000 applications on a throwaway
PostgreSQL, against a bare view rendering the same base template in the same run.
Server time through Django's test client (no network).

Run: .venv/bin/python benchmarks/dashboard.py [--rows 100000] [--requests 30]
Last line: `dashboard: median ... ms, p95 ... ms, ... queries, floor median ... ms, ratio ...`
(target: under 500 ms for 100,000 applications, the same number of queries for any number).
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
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from devtools.bench import django_on_throwaway_postgres, measure, p95  # noqa: E402

CITIES = [
    "guangzhou",
    "shenzhen",
    "zhuhai",
    "shantou",
    "foshan",
    "shaoguan",
    "zhanjiang",
    "zhaoqing",
    "jiangmen",
    "maoming",
    "huizhou",
    "meizhou",
    "shanwei",
    "heyuan",
    "yangjiang",
    "qingyuan",
    "dongguan",
    "zhongshan",
    "chaozhou",
    "jieyang",
    "yunfu",
]
STATUSES = [
    "submitted",
    "under_review",
    "info_requested",
    "awaiting_decision",
    "approved",
    "rejected",
    "in_payment",
    "paid",
    "paid",
    "withdrawn",
]
DECIDED = {"approved", "rejected", "in_payment", "paid"}
RESERVED = {"approved", "in_payment", "paid"}


def seed(rows: int) -> dict[str, Any]:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from subsidy.demo_data import demo_uscc
    from subsidy.models import Applicant, Application, FundingRound, Patent
    from subsidy.models.schemes import hk_standard_patent_scheme

    today = timezone.localdate()
    now = timezone.now()
    user_model = get_user_model()
    auditor = user_model.objects.create_user(username="auditor@bench", email="auditor@bench", password="x")  # noqa: S106
    auditor.groups.add(Group.objects.get_or_create(name="auditor")[0])
    reviewers = [
        user_model.objects.create_user(username=f"r{i}@bench", email=f"r{i}@bench", password="x")  # noqa: S106
        for i in range(12)
    ]
    filer = user_model.objects.create_user(username="filer@bench", email="filer@bench", password="x")  # noqa: S106
    rounds = [
        FundingRound.objects.create(
            scheme=hk_standard_patent_scheme(),
            name=f"Benchmark round {year}",
            code=f"bench-{year}",
            budget=Decimal("500000000"),
            opens_on=today - dt.timedelta(days=300 + 365 * k),
            closes_on=today + dt.timedelta(days=60 - 365 * k),
            grant_date_from=today - dt.timedelta(days=700 + 365 * k),
            grant_date_to=today - dt.timedelta(days=365 * k),
        )
        for k, year in enumerate((2026, 2025, 2024))
    ]
    applicants = Applicant.objects.bulk_create(
        Applicant(
            kind="organisation",
            name=f"广东报表基准测试有限公司{i}",
            uscc=demo_uscc("440300", f"MR{i:07d}"),
            city=CITIES[i % len(CITIES)],
            address="广东省",
            contact_person="张",
            phone="13800138000",
            email=f"a{i}@bench.example",
        )
        for i in range(3000)
    )
    batch = 10_000
    for start in range(0, rows, batch):
        size = min(batch, rows - start)
        patents = Patent.objects.bulk_create(
            Patent(
                number=f"HK{3000000 + start + i}",
                route="O" if (start + i) % 3 == 0 else "R",
                designated_office="" if (start + i) % 3 == 0 else "CNIPA",
                designated_application_number="" if (start + i) % 3 == 0 else "202310000001.X",
                title_zh="报表基准测试专利",
                grant_date=today - dt.timedelta(days=100),
            )
            for i in range(size)
        )
        applications = []
        for i, patent in enumerate(patents):
            n = start + i
            status = STATUSES[n % len(STATUSES)]
            submitted = now - dt.timedelta(hours=n % 5000)
            decided = submitted + dt.timedelta(hours=24 * (n % 40) + 3) if status in DECIDED else None
            applications.append(
                Application(
                    reference=f"GDHK-2026-{n + 1:07d}",
                    funding_round=rounds[n % len(rounds)],
                    applicant=applicants[n % len(applicants)],
                    patent=patent,
                    created_by=filer,
                    submitted_at=submitted,
                    decided_at=decided,
                    requested_amount=Decimal(2000 + n % 8000),
                    approved_amount=Decimal(1500 + n % 8000) if status in RESERVED else None,
                    paid_on=(decided + dt.timedelta(days=5 + n % 30)).date() if status == "paid" and decided else None,
                    reviewer=reviewers[n % len(reviewers)] if status != "submitted" else None,
                )
            )
        Application.objects.bulk_create(applications)
        # bulk_create writes the default status; set the real ones in one statement per status.
        for status in set(STATUSES):
            ids = [a.pk for k, a in enumerate(applications) if STATUSES[(start + k) % len(STATUSES)] == status]
            Application.objects.filter(pk__in=ids).update(status=status)
    from django.db import connection

    with connection.cursor() as cursor:
        # Every row was updated once (its status): vacuum, as autovacuum would, so that
        # the scans read the table a running site has, not one with 100,000 dead rows.
        cursor.execute("VACUUM ANALYZE")
    return {"auditor": auditor}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    with django_on_throwaway_postgres(urls_module=__name__):
        from django.db import connections
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        started = time.perf_counter()
        data = seed(args.rows)
        print(f"seeded {args.rows} applications in {time.perf_counter() - started:.1f} s")

        client = Client()
        client.force_login(data["auditor"])
        with CaptureQueriesContext(connections["default"]) as captured:
            assert client.get("/staff/reports/").status_code == 200
        query_count = len(captured.captured_queries)
        if os.environ.get("BENCH_QUERIES"):
            for q in captured.captured_queries:
                print(q["time"], q["sql"][:300])
        bare = measure(client, "/bench/bare/", args.requests, warm_up=3)
        dashboard = measure(client, "/staff/reports/", args.requests, warm_up=3)

    median, floor = statistics.median(dashboard), statistics.median(bare)
    print(
        f"dashboard: median {median:.1f} ms, p95 {p95(dashboard):.1f} ms, {query_count} queries "
        f"over {args.rows} applications, floor median {floor:.1f} ms, ratio {median / floor:.1f}"
    )


if __name__ == "__main__":
    main()
