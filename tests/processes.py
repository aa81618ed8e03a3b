"""Real processes against the test database: `manage.py` commands run as separate
processes (which can be killed), and plain psycopg connections that act as another
client of the same server (holding locks, terminating backends)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def conninfo() -> str:
    """The test database, as libpq sees it (HOST is the server's socket directory)."""
    d = connection.settings_dict
    return psycopg.conninfo.make_conninfo(dbname=d["NAME"], host=d["HOST"], port=str(d["PORT"]), user=d["USER"])


def other_client(autocommit: bool = True) -> psycopg.Connection[Any]:
    return psycopg.connect(conninfo(), autocommit=autocommit)


def manage_env(storage: Path, **extra: str) -> dict[str, str]:
    """Settings for a `manage.py` process on the test database and storage directory,
    with the database task queue (the tests themselves run tasks in-process)."""
    d = connection.settings_dict
    env = {
        **os.environ,
        # django-environ cannot parse a socket path: an empty host makes libpq use PGHOST.
        "DATABASE_URL": f"postgres://{d['USER']}@/{d['NAME']}",
        "PGHOST": d["HOST"],
        "PGPORT": str(d["PORT"]),
        "SUBSIDY_PRIVATE_STORAGE": str(storage),
        "SUBSIDY_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **extra,
    }
    env.pop("DJANGO_ENV", None)
    return env


def manage(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
        timeout=180,
    )


def start_manage(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    """Poll until `condition()` is true (a deadline for a hung run, not a timing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def activity(monitor: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    """What every other backend is doing (for failure messages)."""
    return monitor.execute(
        "SELECT pid, state, wait_event_type, left(query, 120) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
    ).fetchall()


def backend_waiting_on_lock(monitor: psycopg.Connection[Any], query_like: str) -> int | None:
    """The pid of a server backend blocked on a lock while running a query that
    matches the LIKE pattern `query_like` (from pg_stat_activity)."""
    row = monitor.execute(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
        [query_like],
    ).fetchone()
    return int(row[0]) if row else None


def backend_gone(monitor: psycopg.Connection[Any], pid: int) -> bool:
    return monitor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone() == (0,)
