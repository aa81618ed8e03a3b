"""Accessibility checks in the browser tests: axe-core (npm, `package-lock.json`,
installed by `make setup` with `npm ci`) is injected into the page Chromium shows and
run there; a violation of impact serious or critical fails the test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
# WCAG 2.1 A and AA plus axe's best practices (landmarks, one h1, regions ...).
# The inline PDF frames hold no axe of their own: axe checks the page, not inside them.
RUN_OPTIONS = {
    "iframes": False,
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
}


def _describe(violation: dict[str, Any]) -> str:
    nodes = "".join(
        f"      {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').splitlines()[-1].strip()}\n"
        for node in violation["nodes"][:5]
    )
    more = f"      … and {len(violation['nodes']) - 5} more\n" if len(violation["nodes"]) > 5 else ""
    return f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})\n{nodes}{more}"


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on serious or critical violations."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} is missing. Fix with: npm ci (make setup runs it)", pytrace=False)
    page.wait_for_load_state()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script> element: the site's Content-Security-Policy
        # (no inline script) would block that, and the tests run under the real policy.
        page.evaluate(f"() => {{ {AXE_SCRIPT.read_text(encoding='utf-8')}\n }}")
    results = page.evaluate("options => axe.run(document, options)", RUN_OPTIONS)
    # axe scrolls through the page, which starts every lazy iframe (documents shown
    # inline as PDF), and Chromium's PDF viewer, once loaded that way, swallows the
    # test's next click. Such a page is loaded afresh, as the test had it (a GET page:
    # every page a test checks was reached by a link or a redirect).
    if page.locator("iframe").count():
        page.evaluate("() => window.scrollTo(0, 0)")
        page.reload()
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe-core finds accessibility violations on {page.url}:\n" + "".join(map(_describe, failing))
