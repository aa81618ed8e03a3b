"""Test set-up: a throwaway PostgreSQL server for the whole session, started and
stopped by the suite itself (as the `postgres` user when running as root), and
settings that keep tests self-contained."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.throwaway_postgres import PostgresNotInstalled, throwaway_postgres

# Browser tests run the live server in a thread next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[dict[str, str]]:
    try:
        with throwaway_postgres() as server:
            yield server
    except PostgresNotInstalled as error:
        pytest.exit(str(error), returncode=3)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(postgresql_server: dict[str, str]) -> None:
    from django.conf import settings

    # The SQLite options of local runs (WAL, immediate transactions) mean nothing to PostgreSQL.
    settings.DATABASES["default"].update({**postgresql_server, "NAME": "subsidy", "PASSWORD": "", "OPTIONS": {}})
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


@pytest.fixture(autouse=True)
def _queue_in_step(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test that uses the database, the staff queue's read model agrees with
    the flow's tasks and the claims (workflows.queue_entries): a write path that forgets
    it fails the test that takes it."""
    named = next((name for name in ("transactional_db", "db") if name in request.fixturenames), None)
    if named is None and request.node.get_closest_marker("django_db") is None:
        yield
        return
    if named is not None:
        request.getfixturevalue(named)  # set up before this fixture, so torn down after its check
    yield
    from workflows.queue_entries import queue_entries_stale

    assert queue_entries_stale() == [], "the queue's read model is out of step (workflows.queue_entries)"
