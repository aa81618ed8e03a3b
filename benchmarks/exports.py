"""Benchmark: a released disbursement batch of 50,000 lines exported as CSV, XLSX and
pain.001 (with its XSD and business validation) through the same service the pages
use, on a throwaway PostgreSQL. Floor, measured in the same run: Python's csv.writer
writing the same rows from a list already in memory.

Run: .venv/bin/python benchmarks/exports.py [--lines 50000] [--repeat 3]
Last line: `exports: ...` (targets: CSV within 3x of the floor; XLSX and pain.001 under
30 s each; peak memory under 300 MB for all).

Peak memory is the process's peak resident set (VmHWM), reset before each export
(/proc/self/clear_refs), so it includes Django, the database driver and libxml2,
which Python's tracemalloc does not see.
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
import csv  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from devtools.bench import django_on_throwaway_postgres  # noqa: E402

MIB = 1024 * 1024


def rss_reset() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def rss_peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(lines: int) -> Any:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from subsidy.demo_data import demo_uscc
    from subsidy.models import Applicant, Application, Batch, BatchLine, FundingRound
    from subsidy.models.schemes import hk_standard_patent_scheme

    today, now = timezone.localdate(), timezone.now()
    user_model = get_user_model()
    maker = user_model.objects.create_user(username="maker@bench", email="maker@bench", password="x")  # noqa: S106
    checker = user_model.objects.create_user(username="checker@bench", email="checker@bench", password="x")  # noqa: S106
    funding_round = FundingRound.objects.create(
        scheme=hk_standard_patent_scheme(),
        name="Benchmark round",
        code="bench",
        budget=Decimal("1000000000"),
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
            city="shenzhen",
            address="广东省深圳市",
            contact_person="张",
            phone="13800138000",
            email=f"a{i}@bench.example",
            bank_account_name=f"广东基准测试科技有限公司{i}",
            bank_name="中国工商银行深圳南山支行",
            bank_account_number=f"40000234092{i:08d}",
            cnaps_code="102584002345",
        )
        for i in range(2000)
    )
    batch = Batch.objects.create(reference="BENCH-BATCH-1", created_by=maker)
    total = Decimal("0.00")
    chunk = 10_000
    for start in range(0, lines, chunk):
        size = min(chunk, lines - start)
        applications = Application.objects.bulk_create(
            Application(
                funding_round=funding_round,
                applicant=applicants[(start + i) % len(applicants)],
                created_by=maker,
                reference=f"GDHK-2026-{start + i + 1:06d}",
                submitted_at=now,
                requested_amount=Decimal("10000.00"),
                approved_amount=Decimal("1000.00") + Decimal(start + i) % 9000 + Decimal("0.37"),
                decided_at=now,
            )
            for i in range(size)
        )
        BatchLine.objects.bulk_create(
            BatchLine(
                batch=batch,
                sequence=start + i + 1,
                application=app,
                amount=app.approved_amount,
                application_reference=app.reference,
                payee_name=app.applicant.bank_account_name,
                bank_name=app.applicant.bank_name,
                account_number=app.applicant.bank_account_number,
                cnaps_code=app.applicant.cnaps_code,
            )
            for i, app in enumerate(applications)
        )
        total += sum((app.approved_amount or Decimal("0")) for app in applications)
    Application.objects.update(status="in_payment")
    Batch.objects.filter(pk=batch.pk).update(
        status="released",
        line_count=lines,
        total_amount=total,
        submitted_by=maker,
        submitted_at=now,
        released_by=checker,
        released_at=now,
    )
    return Batch.objects.get(pk=batch.pk)


def floor(batch: Any) -> float:
    """csv.writer writing the same rows from a list (the rows are read beforehand)."""
    from subsidy.exports.rows import HEADINGS, batch_rows, money

    rows = [
        (
            r.sequence,
            r.payee_name,
            r.account_number,
            r.bank_name,
            r.cnaps_code,
            money(r.amount),
            r.purpose,
            r.letter_reference,
            r.application_reference,
        )
        for r in batch_rows(batch)
    ]
    with tempfile.TemporaryFile("w", encoding="utf-8-sig", newline="") as out:
        started = time.perf_counter()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADINGS)
        writer.writerows(rows)
        out.flush()
        return time.perf_counter() - started


def export(batch: Any, fmt: str) -> tuple[float, float, int]:
    from django.db import reset_queries

    from subsidy.services import batches

    reset_queries()
    rss_reset()
    started = time.perf_counter()
    exported = batches.batch_export(batch=batch, export_format=fmt, by=None)
    elapsed = time.perf_counter() - started
    peak = rss_peak_mib()
    with exported.file:
        size = exported.record.size
    return elapsed, peak, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with django_on_throwaway_postgres():
        started = time.perf_counter()
        batch = seed(args.lines)
        print(f"seeded a released batch of {args.lines} lines in {time.perf_counter() - started:.1f} s")

        # Best of three for the floor and for each format alike: two shared cores are noisy.
        floor_s = min(floor(batch) for _ in range(args.repeat))
        results = {}
        for fmt in ("csv", "xlsx", "pain001"):
            runs = [export(batch, fmt) for _ in range(args.repeat)]
            results[fmt] = (min(r[0] for r in runs), max(r[1] for r in runs), runs[0][2])
            elapsed, peak, size = results[fmt]
            print(f"{fmt}: best {elapsed:.2f} s of {args.repeat}, peak RSS {peak:.0f} MiB, {size / MIB:.1f} MiB")

    csv_s = results["csv"][0]
    print(
        f"exports: {args.lines} lines; "
        + ", ".join(f"{fmt} {s:.2f} s {peak:.0f} MiB" for fmt, (s, peak, _size) in results.items())
        + f"; floor (csv.writer from a list) {floor_s:.2f} s; csv ratio {csv_s / floor_s:.1f}; "
        f"peak max {max(peak for _s, peak, _size in results.values()):.0f} MiB"
    )


if __name__ == "__main__":
    main()
