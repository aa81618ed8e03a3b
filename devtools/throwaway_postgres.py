"""A throwaway PostgreSQL server in a temporary directory, for the test suite and
the benchmarks. PostgreSQL refuses to run as root, so as root its tools run as the
`postgres` system user (DESIGN.md §9). Unix socket only, no TCP port."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

FIX = "apt-get install -y postgresql"


class PostgresNotInstalled(RuntimeError):
    pass


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise PostgresNotInstalled(f"PostgreSQL server binaries not found. Fix with: {FIX}")
    return found[-1]


def _run(args: list[str], cwd: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + args, cwd=cwd, check=True, capture_output=True)  # noqa: S603


@contextmanager
def throwaway_postgres(max_connections: int = 100) -> Iterator[dict[str, str]]:
    """Start a server, yield Django connection settings (HOST is the socket dir), stop it."""
    root = tempfile.mkdtemp(prefix="subsidy-pg-")
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o700)
    try:
        _run(
            [
                pg_bin("initdb"),
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "-U",
                "postgres",
                "-D",
                data,
            ],
            root,
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off "
            f"-c idle_in_transaction_session_timeout=60000 -c max_connections={max_connections}"
        )
        _run([pg_bin("pg_ctl"), "start", "-w", "-D", data, "-l", os.path.join(root, "log"), "-o", options], root)
        try:
            yield {"ENGINE": "django.db.backends.postgresql", "HOST": root, "PORT": "5432", "USER": "postgres"}
        finally:
            _run([pg_bin("pg_ctl"), "stop", "-m", "fast", "-D", data], root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
