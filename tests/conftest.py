"""Test set-up: a throwaway PostgreSQL server for the whole session, started and
stopped by the suite itself (as the `postgres` user when running as root), and
settings that keep tests self-contained."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Browser tests run the live server in a thread next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.exit("PostgreSQL server binaries not found. Fix with: apt-get install -y postgresql", returncode=3)
    return found[-1]


def _run(args: list[str], cwd: str) -> None:
    # PostgreSQL refuses to run as root: run its tools as the postgres user.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + args, cwd=cwd, check=True, capture_output=True)  # noqa: S603


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[dict[str, Any]]:
    root = tempfile.mkdtemp(prefix="subsidy-pg-")
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o700)
    try:
        _run(
            [
                _pg_bin("initdb"),
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
            "-c idle_in_transaction_session_timeout=60000 -c max_connections=100"
        )
        _run([_pg_bin("pg_ctl"), "start", "-w", "-D", data, "-l", os.path.join(root, "log"), "-o", options], root)
        try:
            yield {"HOST": root, "PORT": "5432", "USER": "postgres"}
        finally:
            _run([_pg_bin("pg_ctl"), "stop", "-m", "fast", "-D", data], root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(postgresql_server: dict[str, Any]) -> None:
    from django.conf import settings

    settings.DATABASES["default"].update(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "subsidy",
            "HOST": postgresql_server["HOST"],
            "PORT": postgresql_server["PORT"],
            "USER": postgresql_server["USER"],
            "PASSWORD": "",
        }
    )
    settings.DATABASES["default"]["TEST"]["NAME"] = "subsidy_test"
    # Drop any connection object made for the previous engine.
    from django.db import connections

    connections["default"].close()
    del connections["default"]


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Path) -> None:
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process right after commit, through the same task code.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    settings.LANGUAGE_CODE = "en"
