"""Browser tests: Debian's Chromium driven by pytest-playwright against pytest-django's
live server, which runs in a thread of this process on the throwaway PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

E2E_DIR = Path(__file__).resolve().parent

CHROMIUM_BINARIES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")  # the first skips a noisy wrapper script
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# The machines are shared: a page that takes 6 s under someone else's load is slow, not
# wrong. Assertions still fail fast when the text is wrong, they only wait longer for it.
expect.set_options(timeout=20_000)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A conftest hook sees every collected item of the session: mark only ours. Running
    # first lets pytest-django see the transactional marker when it orders the tests.
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


def chromium_executable() -> str:
    for path in CHROMIUM_BINARIES:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    pytest.exit("Chromium not found. Fix with: apt-get install -y chromium", returncode=3)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": chromium_executable(),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:
    # Session-scoped like pytest-playwright's browser_context_args, which reads it, and
    # like pytest-django's live_server; page.goto("/...") resolves against it.
    return str(live_server.url)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The browser of a Guangdong applicant: it asks for Chinese (Accept-Language zh-CN).
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def _site_default_language(_test_settings: None, settings: Any) -> None:
    # tests/conftest.py switches the default to English for the unit tests; the
    # browser tests see the site as it ships, Simplified Chinese first.
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(scope="session", autouse=True)
def _letter_renderer_warmed_up() -> None:
    # The task worker renders letters; here tasks run inside the request that decides,
    # and a process's first letter loads WeasyPrint and the font (seconds on a busy machine).
    from subsidy.letters.render import render_letter
    from subsidy.letters.samples import sample_letter

    render_letter(sample_letter(0))


@pytest.fixture
def new_context(new_context: Any) -> Iterator[Any]:
    """pytest-playwright's contexts, each watched for Content-Security-Policy violations
    (tests/e2e/csp.py): every browser test fails on any, whatever page it reached."""
    from tests.e2e.csp import watch

    watches = []

    def _new_context(**kwargs: Any) -> Any:
        context = new_context(**kwargs)
        watches.append(watch(context))
        return context

    yield _new_context
    problems = [problem for policy_watch in watches for problem in policy_watch.console_errors]
    assert not problems, "Content-Security-Policy violations or script errors:\n  " + "\n  ".join(problems)
