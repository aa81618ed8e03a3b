"""`make prod-check`: deploy the production profile on loopback against a throwaway
PostgreSQL and walk through it as the TLS proxy and a person would; stop everything.

Run: .venv/bin/python -m devtools.prod_check
Last line: `prod-check: passed, N checks in T s` (exit status 0), or what failed (1).
"""

from __future__ import annotations

import re
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devtools.production import PROXY_HEADERS, ProfileFailed, Stack, production_stack  # noqa: E402
from devtools.throwaway_postgres import throwaway_postgres  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Collected static files carry their content hash: site.0123456789ab.css.
HASHED_CSS = re.compile(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"')
STATIC_LINK = re.compile(r'(?:src|href)="(/static/[^"?#]+)')
CJK = re.compile(r"[\u4e00-\u9fff]")
FAR_FUTURE = 365 * 24 * 60 * 60


class CheckFailed(AssertionError):
    pass


def expect(condition: object, what: str) -> None:
    if not condition:
        raise CheckFailed(what)


def browser(stack: Stack) -> httpx.Client:
    """A client that behaves like a browser behind the TLS proxy: every request says it
    came over HTTPS (and forms are posted from the https:// origin), and cookies marked
    Secure travel, as they would between the proxy, which ends TLS, and gunicorn."""
    client = httpx.Client(
        base_url=stack.base_url,
        headers={**PROXY_HEADERS, "Origin": stack.base_url.replace("http://", "https://")},
        timeout=30,
    )

    def keep_secure_cookies(response: httpx.Response) -> None:
        for cookie in client.cookies.jar:
            cookie.secure = False

    client.event_hooks["response"] = [keep_secure_cookies]
    return client


def check_static_links(client: httpx.Client, page: httpx.Response) -> int:
    """Every stylesheet, script and icon the page links is served (none missing from the manifest)."""
    links = sorted(set(STATIC_LINK.findall(page.text)))
    for link in links:
        response = client.get(link)
        expect(response.status_code == 200, f"{page.url.path} links {link}, which answered {response.status_code}")
    return len(links)


def found(match: re.Match[str] | None, what: str) -> re.Match[str]:
    if match is None:
        raise CheckFailed(what)
    return match


def form_token(response: httpx.Response) -> str:
    return found(CSRF_FIELD.search(response.text), f"{response.url.path} has no CSRF token in its form").group(1)


def check_health(stack: Stack) -> None:
    with browser(stack) as client:
        response = client.get("/healthz")
    expect(response.status_code == 200, f"/healthz answered {response.status_code}")
    expect(response.json() == {"status": "ok"}, f"/healthz said {response.text!r}")
    expect(response.headers.get("cache-control") == "no-store", "/healthz may be cached")


def check_home_and_static(stack: Stack) -> None:
    with browser(stack) as client:
        home = client.get("/")
        expect(home.status_code == 200, f"/ answered {home.status_code}")
        expect('<html lang="zh-hans">' in home.text, "the home page is not in Simplified Chinese")
        expect(CJK.search(home.text), "the home page has no Chinese text")
        expect("strict-transport-security" in home.headers, "no HSTS header behind the proxy")
        css = found(HASHED_CSS.search(home.text), "the home page links no content-hashed stylesheet")
        static = client.get(css.group(1), headers={"Accept-Encoding": "gzip"})
        check_static_links(client, home)
        for path in ("/admin/login/", "/api/docs/", "/api/redoc/"):
            page = client.get(path)
            expect(page.status_code == 200, f"{path} answered {page.status_code}")
            expect(check_static_links(client, page) or "/static/" in page.text, f"{path} links no static file")
    expect(static.status_code == 200, f"{css.group(1)} answered {static.status_code}")
    cache = static.headers.get("cache-control", "")
    max_age = re.search(r"max-age=(\d+)", cache)
    expect(max_age and int(max_age.group(1)) >= FAR_FUTURE, f"static file cached only {cache!r}")
    expect("immutable" in cache, f"static file not immutable: {cache!r}")
    expect(static.headers.get("content-encoding") == "gzip", "whitenoise did not serve the compressed variant")
    expect("body" in static.text, "the stylesheet did not decompress to CSS")


def activation_link(stack: Stack, email: str, timeout: float = 10.0) -> str:
    """The path of the activation link emailed to `email` (the file email backend's files)."""
    folder = Path(stack.env["DJANGO_EMAIL_FILE_PATH"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sorted(folder.glob("*.log")) if folder.exists() else []:
            text = message.read_text(errors="replace")
            found = re.search(r"https?://[^/\s]+(/accounts/activate/\S+)", text)
            if email in text and found:
                return found.group(1)
        time.sleep(0.2)
    raise CheckFailed(f"no activation email reached {email}")


def check_applicant(stack: Stack) -> None:
    email = f"prod-check-{secrets.token_hex(4)}@example.org"
    password = secrets.token_urlsafe(16)
    with browser(stack) as client:
        page = client.get("/accounts/signup/")
        expect(page.status_code == 200, f"/accounts/signup/ answered {page.status_code}")
        signed_up = client.post(
            "/accounts/signup/",
            data={
                "csrfmiddlewaretoken": form_token(page),
                "email": email,
                "password1": password,
                "password2": password,
            },
        )
        expect(signed_up.status_code == 200, f"signing up answered {signed_up.status_code}")
        link = activation_link(stack, email)
        activate = client.get(link)
        expect(activate.status_code == 200, f"the activation link answered {activate.status_code}")
        activated = client.post(link, data={"csrfmiddlewaretoken": form_token(activate)})
        expect(activated.status_code == 302, f"activating the account answered {activated.status_code}")
    with browser(stack) as client:
        login = client.get("/accounts/login/")
        expect(login.status_code == 200, f"/accounts/login/ answered {login.status_code}")
        expect(CJK.search(login.text), "the sign-in page has no Chinese text")
        check_static_links(client, login)
        signed_in = client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": form_token(login), "username": email, "password": password},
        )
        expect(signed_in.status_code == 302, f"signing in answered {signed_in.status_code}")
        expect(client.cookies.get("sessionid"), "no session cookie after signing in")
        claims = client.get("/portal/applications/")
        expect(claims.status_code == 200, f"the applicant's claims answered {claims.status_code}")
        expect(email in claims.text, "the claims page does not show who is signed in")
        staff = client.get("/staff/queue/")
        expect(staff.status_code in (302, 403, 404), f"an applicant reached the staff queue ({staff.status_code})")
        out = client.post("/accounts/logout/", data={"csrfmiddlewaretoken": form_token(claims)})
        expect(out.status_code == 302, f"signing out answered {out.status_code}")


def check_background_task(stack: Stack, database: dict[str, str], timeout: float = 30.0) -> None:
    """The scheduler enqueues its periodic jobs on start; a task worker must run them."""
    import psycopg

    deadline = time.monotonic() + timeout
    rows: list[tuple[str, str]] = []
    while time.monotonic() < deadline:
        stack.check_running()
        with psycopg.connect(host=database["HOST"], user=database["USER"], dbname="postgres") as connection:
            rows = connection.execute("SELECT task_path, status FROM django_tasks_database_dbtaskresult").fetchall()
        expect(not [r for r in rows if r[1] == "FAILED"], f"a background task failed: {rows}")
        if any(path.endswith("lapse_overdue_applications") and status == "SUCCESSFUL" for path, status in rows):
            return
        time.sleep(0.5)
    raise CheckFailed(f"no scheduled task ran through the worker within {timeout:.0f} s: {rows}")


def run_check(report: Callable[[str], None] = print) -> int:
    """Deploy, check, stop. Returns the number of checks passed; raises on the first failure."""
    started = time.monotonic()
    with throwaway_postgres() as database, production_stack(database=database, web_workers=2) as stack:
        report(f"deployed: gunicorn (2 workers), 1 task worker, scheduler on {stack.base_url}")
        for name, process in stack.processes.items():
            report(f"started {name}: process group pid={process.pid}")
        checks: list[tuple[str, Callable[[], None]]] = [
            ("health", lambda: check_health(stack)),
            ("home page in Chinese; hashed, compressed static files", lambda: check_home_and_static(stack)),
            ("applicant signs up, signs in, sees their claims, signs out", lambda: check_applicant(stack)),
            ("scheduled task ran through the worker", lambda: check_background_task(stack, database)),
        ]
        for name, check in checks:
            check()
            report(f"ok: {name}")
        stack.check_running()
    report(f"prod-check: passed, {len(checks)} checks in {time.monotonic() - started:.1f} s")
    return len(checks)


def main() -> int:
    try:
        run_check()
    except (CheckFailed, ProfileFailed) as failure:
        print(f"prod-check: FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
