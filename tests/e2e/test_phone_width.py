"""Every page of the tour on a 390 px phone, in Chinese and in English: the page itself
never scrolls sideways. A wide table scrolls inside its own box; long hashes, e-mail
addresses and references break. On a 1280 px screen a batch's export log fits."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from subsidy.demo import load_demo
from subsidy.demo_data import DEMO_PAID_BATCH
from subsidy.models import Batch, ExportFormat, Role
from subsidy.services import batches
from tests.e2e.tour_pages import DESKTOP, PHONE, demo_email, signed_in, tour_pages

# The elements that stick out on the right of the window, outermost only, leaving out
# those inside a box that clips or scrolls them (a table's scroll box).
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  // A box clips what lies in it, except what is positioned against a box further out.
  const insideBox = (el) => {
    let box = el.parentElement;
    const position = getComputedStyle(el).position;
    if (position === 'fixed') return false;
    if (position === 'absolute') {
      while (box && box !== document.body && getComputedStyle(box).position === 'static') box = box.parentElement;
    }
    for (; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = (el) => {
    const r = el.getBoundingClientRect();
    return (r.width > 0 || r.height > 0) && r.right > width + 1 && !insideBox(el);
  };
  const describe = (el) => {
    const r = el.getBoundingClientRect();
    const classes = el.classList.length ? '.' + [...el.classList].join('.') : '';
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes}> right ${Math.round(r.right)}: ${text}`;
  };
  return [...document.body.querySelectorAll('*')]
    .filter((el) => out(el) && !(el.parentElement && out(el.parentElement)))
    .slice(0, 10).map(describe);
}"""


def overflow(page: Page) -> list[str]:
    """What makes the page wider than the window; empty when nothing does."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] <= widths[1]:
        return []
    return [f"page {widths[0]} px wide in a {widths[1]} px window", *page.evaluate(STICKING_OUT)]


def test_no_page_of_the_tour_scrolls_sideways_on_a_phone(new_context, live_server):
    load_demo()
    pages = tour_pages()
    browsers: dict[Role | None, Page] = {None: new_context(viewport=PHONE).new_page()}
    problems = []
    for language in ("zh-hans", "en"):
        for tour_page in pages:
            if tour_page.role not in browsers:
                browsers[tour_page.role] = signed_in(new_context, live_server, demo_email(tour_page.role), PHONE)
            page = browsers[tour_page.role]
            page.context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
            response = page.goto(tour_page.url)
            where = f"{tour_page.name} ({language}, {tour_page.url})"
            if response is None or response.status != 200:
                problems.append(f"{where}: HTTP {response and response.status}")
                continue
            expect(page.locator("html")).to_have_attribute("lang", language)
            sticking_out = overflow(page)
            if sticking_out:
                problems.append(f"{where}:\n    " + "\n    ".join(sticking_out))
    assert not problems, "pages wider than a 390 px phone:\n  " + "\n  ".join(problems)


def test_the_export_log_of_a_batch_fits_a_desktop_screen(new_context, live_server):
    load_demo()
    batch = Batch.objects.get(reference=DEMO_PAID_BATCH)
    # Every format, by the finance approver: the longest e-mail address and format names.
    approver = get_user_model().objects.get(username=demo_email(Role.FINANCE_APPROVER))
    for export_format, _label in ExportFormat.choices:
        batches.batch_export(batch=batch, export_format=export_format, by=approver).file.close()
    page = signed_in(new_context, live_server, demo_email(Role.FINANCE_OFFICER), DESKTOP)
    page.goto(reverse("staff:batch_detail", kwargs={"pk": batch.pk}))
    log = page.locator("#export-log")
    expect(log).to_be_visible()
    # Neither sticking out of the page nor scrolling inside its own box.
    assert log.evaluate("(box) => box.scrollWidth <= box.clientWidth"), "the export log scrolls at 1280 px"
    main_right, log_right = page.evaluate(
        "() => [document.querySelector('#main').getBoundingClientRect().right,"
        " document.querySelector('#export-log').getBoundingClientRect().right]"
    )
    assert log_right <= main_right
    assert overflow(page) == []
