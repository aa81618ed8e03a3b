"""After a failed form the focus is on the error summary at the top of the page, in
view, and each of its links moves the focus to its field: on a staff task page (a
recommendation sent with an unexplained checklist override), a step of a claim, a
batch's bank return import and the sign-in page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from subsidy.models import ApplicationStatus, ChecklistEntry, Role
from subsidy.rules import RULE_TITLES
from subsidy.services import batches, reviews
from tests.e2e.axe import assert_accessible
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    finance_staff,
    payable_application,
    staff_member,
    submitted_application,
    today,
)
from workflows import selectors
from workflows.services import task_take

PHONE = {"width": 390, "height": 844}
ACTIVE_ID = "() => document.activeElement && document.activeElement.id"


def signed_in(new_context: Any, live_server: Any, user: Any, **context_args: Any) -> Page:
    """A browser in which `user` is signed in (a session made server-side)."""
    client = Client()
    client.force_login(user)
    context = new_context(**context_args)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def assert_summary_has_the_focus(page: Page) -> None:
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert page.evaluate(ACTIVE_ID) == "error-summary"


def follow_summary_link(page: Page, field_id: str) -> None:
    """The summary's link to a field puts the focus on that field, in view."""
    page.locator(f"#error-summary a[href='#{field_id}']").click()
    field = page.locator(f"#{field_id}")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()


def test_a_recommendation_with_an_unexplained_override_fails_at_the_top(new_context, live_server):
    application = submitted_application()
    reviewer = staff_member(Role.REVIEWER)
    task = selectors.open_task(application)
    task_take(task=task, by=reviewer)
    page = signed_in(new_context, live_server, reviewer, viewport=PHONE)
    page.goto(reverse("staff:task", kwargs={"task_pk": task.pk}))
    page.check("input[name=conflict-has_conflict][value=no]")
    page.locator("#main form button[type=submit]").click()
    expect(page.locator("#review-form")).to_be_visible()
    rule = next(iter(RULE_TITLES))
    page.check(f"input[name='checklist-{rule}__finding'][value=fail]")  # overridden, no note
    page.locator("#action-recommend_approve button[type=submit]").click()

    assert_summary_has_the_focus(page)
    expect(page.locator("#error-summary")).to_contain_text(str(RULE_TITLES[rule]))
    # At the top: the summary comes before the case and its actions.
    assert page.evaluate(
        "() => !!(document.querySelector('#error-summary').compareDocumentPosition("
        "document.querySelector('#actions-heading')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert not ChecklistEntry.objects.filter(application=application).exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert_accessible(page)
    follow_summary_link(page, f"id_checklist-{rule}__note")


def test_a_claim_step_with_a_missing_field_fails_at_the_top(new_context, live_server):
    application = ApplicationFactory()
    page = signed_in(new_context, live_server, application.created_by)
    page.goto(reverse("portal:claim_patent", kwargs={"pk": application.pk}))
    page.fill("#id_proprietors", "")
    page.locator("button[name=continue]").click()
    assert_summary_has_the_focus(page)
    assert_accessible(page)
    follow_summary_link(page, "id_proprietors")


def test_a_bad_bank_return_file_fails_at_the_top(new_context, live_server, tmp_path):
    officer = finance_staff(Role.FINANCE_OFFICER)
    payable_application()
    batch = batches.batch_submit(batch=batches.batch_create(by=officer), by=officer)
    batch = batches.batch_release(batch=batch, by=finance_staff(Role.FINANCE_APPROVER))
    batches.batch_export(batch=batch, export_format="csv", by=officer)
    empty = tmp_path / "return.csv"
    empty.write_bytes(b"")
    page = signed_in(new_context, live_server, officer)
    page.goto(reverse("staff:batch_detail", kwargs={"pk": batch.pk}))
    page.set_input_files("#import-form input[type=file]", str(empty))
    page.locator("#import-form button[type=submit]").click()
    assert_summary_has_the_focus(page)
    assert page.evaluate(
        "() => !!(document.querySelector('#error-summary').compareDocumentPosition("
        "document.querySelector('#import-form')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert_accessible(page)
    follow_summary_link(page, "id_return_file")


def test_a_wrong_password_fails_at_the_top(page: Page):
    user = UserFactory(role=Role.APPLICANT)
    page.goto(reverse("login"))
    page.fill("#id_username", str(user.email))
    page.fill("#id_password", "not-the-password")
    page.locator("#main form button[type=submit]").click()
    assert_summary_has_the_focus(page)
    assert_accessible(page)


def test_a_refusal_told_by_a_message_gets_the_focus(new_context, live_server):
    """A press refused with a message (here: nothing to recommend while the applicant has
    the claim) puts the focus on that message."""
    application = submitted_application()
    reviewer = staff_member(Role.REVIEWER)
    task = selectors.open_task(application)
    task_take(task=task, by=reviewer)
    page = signed_in(new_context, live_server, reviewer)
    page.goto(reverse("staff:task", kwargs={"task_pk": task.pk}))
    page.check("input[name=conflict-has_conflict][value=no]")
    page.locator("#main form button[type=submit]").click()
    expect(page.locator("#review-form")).to_be_visible()
    # The claim went back to the applicant from another tab: this page's button is stale.
    deadline = today() + dt.timedelta(days=7)
    reviews.application_request_info(application=application, by=reviewer, message="P5 form.", deadline=deadline)
    page.locator("#action-recommend_approve button[type=submit]").click()
    message = page.locator(".messages .message.error")
    expect(message).to_be_focused()
    expect(message).to_be_in_viewport()
