"""The SQLite database of `make run` serves parallel writers (subsidy/settings.py): ten
threads that each read and then write in one transaction all succeed. With SQLite's
defaults (deferred transactions, no write-ahead log) most of them fail at once with
"database is locked": a transaction that read first cannot wait for the write lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os, threading
import django
django.setup()
from django.db import connection, connections, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE claims (id INTEGER PRIMARY KEY, n INTEGER)")
    cursor.execute("PRAGMA journal_mode")
    print("journal", cursor.fetchone()[0])
connection.close()

failures = []
start = threading.Barrier(10)

def write(worker):
    try:
        start.wait()
        for _ in range(5):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM claims")
                    count = cursor.fetchone()[0]
                    cursor.execute("INSERT INTO claims (n) VALUES (%s)", [count + worker])
    except Exception as error:
        failures.append(repr(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=write, args=(i,)) for i in range(10)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM claims")
    print("rows", cursor.fetchone()[0])
print("failures", len(failures), failures[:2])
"""


def test_ten_parallel_writers_on_sqlite_all_succeed(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "subsidy.settings",
        "DJANGO_ENV": "local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'parallel.sqlite3'}",
        "SUBSIDY_VAR_DIR": str(tmp_path),
    }
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT], env=env, cwd=root, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "journal wal" in result.stdout
    assert "failures 0 " in result.stdout, result.stdout
    assert "rows 50" in result.stdout
