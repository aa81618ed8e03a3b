"""Content-Security-Policy violations in the browser tests: every `securitypolicyviolation`
event the page raises, every console error in which Chromium reports the policy refusing
something, and every uncaught script error are collected, and a test fails on any of them.
(Other console errors, such as the 404 of a /favicon.ico the browser asks for on its
own, are not the policy's business.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Page

# Runs in every document of the context before its own scripts (through the DevTools
# protocol, so the policy under test does not apply to it).
LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@dataclass
class PolicyWatch:
    console_errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._page_error(page, error))

    def _page_error(self, page: Page, error: Any) -> None:
        stack = str(getattr(error, "stack", "") or "")
        # Chromium's own PDF viewer (documents shown inline) runs its scripts in the frame
        # too, and asserts on its own state when a keyboard walk tabs through it quickly.
        if "chrome-extension://" in stack or "chrome://" in stack:
            return
        self.console_errors.append(f"{page.url}: uncaught {error}\n{stack}")

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or text.startswith("Refused to")):
            self.console_errors.append(f"{message.page.url if message.page else '?'}: {text}")

    def assert_clean(self, page: Page) -> None:
        page.wait_for_load_state("networkidle")
        violations: list[Any] = page.evaluate("() => window.__cspViolations || []")
        problems = [f"{page.url}: {v}" for v in violations] + self.console_errors
        assert not problems, "Content-Security-Policy violations or console errors:\n  " + "\n  ".join(problems)


def watch(context: BrowserContext) -> PolicyWatch:
    """Start collecting in `context`; call `assert_clean(page)` after each page."""
    context.add_init_script(LISTENER)
    policy_watch = PolicyWatch()
    context.on("page", policy_watch.attach)
    return policy_watch
