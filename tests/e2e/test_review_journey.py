"""The whole journey of a claim in Chromium, one browser context per person: the
applicant submits, the reviewer requests information, the applicant resubmits, the
reviewer recommends approval, an approver approves and the applicant sees the decision.

Only what comes before the journey is made with factories: the round, the complete
draft and the staff accounts. Elements are found by ids, names and URLs; where a
visible text matters it is compared with its Simplified Chinese translation."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect
from viewflow.workflow.status import STATUS

from subsidy import selectors as domain_selectors
from subsidy.models import Application, ApplicationStatus, Role
from subsidy.rules import rule_set_of
from tests.e2e.axe import assert_accessible
from tests.e2e.keyboard import assert_keyboard_reachable
from tests.factories import ApplicationFactory, staff_member, today
from workflows import selectors
from workflows.flows import ApplicationFlow

PASSWORD = "correct-horse-battery"  # UserFactory's
REFERENCE = re.compile(r"GDHK-\d{4}-\d{6}")
INFO_MESSAGE = "请补充上传香港知识产权署出具的专利注册证明书(P5 表格)副本。"
REPLY = "已上传 P5 表格副本，请查收。"


def zh(text: str) -> str:
    """`text` as the site shows it by default, in Simplified Chinese."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def url_of(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path) + "$")


def sign_in(new_context: Any, user: Any) -> Page:
    """A fresh browser (its own cookies) in which `user` has signed in."""
    page: Page = new_context().new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/(portal/applications|staff)/$"))
    assert_accessible(page)  # the applicant's claims or the staff member's work
    assert_keyboard_reachable(page)
    return page


def case_row(page: Page, application: Application) -> Locator:
    """The row of an inbox or queue table that lists `application`."""
    case_url = reverse("staff:application_detail", kwargs={"pk": application.pk})
    return page.locator("#main table tbody tr").filter(has=page.locator(f"a[href='{case_url}']"))


def the_open_task(application: Application) -> Any:
    task = selectors.open_task(application)
    assert task is not None, application.status
    return task


def status_of(application: Application) -> str:
    application.refresh_from_db()
    return str(application.status)


def take_from_queue_and_declare_no_conflict(page: Page, application: Application) -> Any:
    """Assign to me from the queue, then the no-conflict declaration; returns the task."""
    page.goto(reverse("staff:queue"))
    row = case_row(page, application)
    expect(row).to_have_count(1)
    assert_accessible(page)
    assert_keyboard_reachable(page)
    row.locator("form[action$='/assign/'] button[type=submit]").click()
    task = the_open_task(application)
    task_url = reverse("staff:task", kwargs={"task_pk": task.pk})
    expect(page).to_have_url(url_of(task_url))
    assert_accessible(page)  # the conflict-of-interest declaration
    assert_keyboard_reachable(page)
    page.check("input[name=conflict-has_conflict][value=no]")
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(url_of(task_url))
    expect(page.locator("#actions-heading")).to_be_visible()
    assert_accessible(page)  # the case with its actions
    assert_keyboard_reachable(page)
    return task


def test_claim_goes_through_an_information_request_to_approval_and_public_notice(new_context, mailoutbox):
    application = ApplicationFactory()
    applicant_user = application.created_by
    # The reviewer may also approve: only the four-eyes rule keeps the decision from them.
    reviewer = staff_member(Role.REVIEWER)
    reviewer.groups.add(Group.objects.get_or_create(name=Role.APPROVER.value)[0])
    approver = staff_member(Role.APPROVER)
    deadline = today() + dt.timedelta(days=7)
    detail_url = reverse("portal:application_detail", kwargs={"pk": application.pk})
    review_step_url = reverse("portal:claim_review", kwargs={"pk": application.pk})
    computed_amount = domain_selectors.application_amount(application).amount

    # 1. The applicant submits the draft from its review step and gets a receipt.
    applicant = sign_in(new_context, applicant_user)
    applicant.goto(review_step_url)
    expect(applicant.locator("#error-summary")).to_have_count(0)
    expect(applicant.locator(".notice")).to_have_count(0)
    assert_accessible(applicant)
    assert_keyboard_reachable(applicant)
    submit = applicant.locator("button[name=submit]")
    expect(submit).to_have_text(zh("Submit the application"))
    submit.click()
    expect(applicant).to_have_url(url_of(detail_url))
    receipt = applicant.locator(".receipt strong")
    expect(receipt).to_have_text(REFERENCE)
    assert_accessible(applicant)
    assert_keyboard_reachable(applicant)
    assert status_of(application) == ApplicationStatus.SUBMITTED
    assert receipt.inner_text() == application.reference
    review_task = the_open_task(application)
    assert review_task.flow_task is ApplicationFlow.review and review_task.status == STATUS.NEW

    # 2. The reviewer takes the review from the queue, declares no conflict (which starts
    # the review) and asks for more information; the task stays in their inbox.
    reviewer_page = sign_in(new_context, reviewer)
    assert take_from_queue_and_declare_no_conflict(reviewer_page, application).pk == review_task.pk
    assert status_of(application) == ApplicationStatus.UNDER_REVIEW
    assert application.reviewer == reviewer
    reviewer_page.fill("#id_request_info-message", INFO_MESSAGE)
    reviewer_page.fill("#id_request_info-deadline", deadline.isoformat())
    reviewer_page.locator("#action-request_info button[type=submit]").click()
    expect(reviewer_page).to_have_url(url_of(reverse("staff:inbox")))
    task_url = reverse("staff:task", kwargs={"task_pk": review_task.pk})
    expect(case_row(reviewer_page, application).locator(f"a[href='{task_url}']")).to_be_visible()
    assert_accessible(reviewer_page)  # the inbox
    assert_keyboard_reachable(reviewer_page)
    assert status_of(application) == ApplicationStatus.INFO_REQUESTED
    review_task.refresh_from_db()
    assert review_task.status == STATUS.ASSIGNED and review_task.owner == reviewer
    # While the applicant has the claim, the task page offers nothing to do.
    reviewer_page.goto(task_url)
    expect(reviewer_page.locator(".notice .preserve")).to_have_text(INFO_MESSAGE)
    expect(reviewer_page.locator("#actions-heading")).to_have_count(0)
    assert_accessible(reviewer_page)
    assert_keyboard_reachable(reviewer_page)
    # The case page, outside the task.
    reviewer_page.goto(reverse("staff:application_detail", kwargs={"pk": application.pk}))
    expect(reviewer_page.locator("#main")).to_contain_text(application.reference)
    assert_accessible(reviewer_page)
    assert_keyboard_reachable(reviewer_page)

    # 3. The applicant finds the request on the claim's pages and resubmits.
    applicant.goto(reverse("portal:application_list"))
    applicant.locator(f"#main a[href='{detail_url}']").click()
    expect(applicant).to_have_url(url_of(review_step_url))  # an editable claim opens at its review step
    notice = applicant.locator(".notice")
    expect(notice.locator(".preserve")).to_have_text(INFO_MESSAGE)
    expect(notice).to_contain_text(f"{deadline.year}年{deadline.month}月{deadline.day}日")
    assert_accessible(applicant)
    assert_keyboard_reachable(applicant)
    assert any(INFO_MESSAGE in mail.body for mail in mailoutbox)
    applicant.get_by_label(zh("Your answer to the reviewer (optional)")).fill(REPLY)
    resubmit = applicant.locator("button[name=submit]")
    expect(resubmit).to_have_text(zh("Resubmit to the reviewer"))
    resubmit.click()
    expect(applicant).to_have_url(url_of(detail_url))
    assert status_of(application) == ApplicationStatus.UNDER_REVIEW
    assert the_open_task(application).pk == review_task.pk
    # The reply is in the applicant's history, and in the reviewer's email.
    expect(applicant.locator("ol.history")).to_contain_text(REPLY)
    assert any(REPLY in mail.body for mail in mailoutbox)

    # 4. The reviewer recommends the computed amount: the checklist, pre-filled with the
    # automatic checks, is recorded with the recommendation, without a separate save.
    reviewer_page.goto(reverse("staff:inbox"))
    case_row(reviewer_page, application).locator(f"a[href='{task_url}']").click()
    expect(reviewer_page).to_have_url(url_of(task_url))
    expect(reviewer_page.locator(".notice")).to_have_count(0)
    answer = reviewer_page.locator("section[aria-labelledby=answer-heading]")
    expect(answer.locator(".preserve").first).to_have_text(REPLY)
    expect(answer.locator("ul.changes")).to_contain_text(zh("Nothing in the claim changed."))
    passing = reviewer_page.locator("#action-checklist input[type=radio][value=pass]")
    expect(passing).to_have_count(len(rule_set_of(application.funding_round).codes))
    for radio in passing.all():
        expect(radio).to_be_checked()
    assert not application.checklist.exists()
    expect(reviewer_page.locator("#id_recommend_approve-amount")).to_have_value(str(computed_amount))
    reviewer_page.locator("#action-recommend_approve button[type=submit]").click()
    expect(reviewer_page).to_have_url(url_of(reverse("staff:inbox")))
    expect(reviewer_page.locator(".messages .success")).to_contain_text(application.reference)
    expect(case_row(reviewer_page, application)).to_have_count(0)
    assert application.checklist.filter(passed=True).count() == len(rule_set_of(application.funding_round).codes)
    assert status_of(application) == ApplicationStatus.AWAITING_DECISION
    assert application.recommended_amount == computed_amount
    decide_task = the_open_task(application)
    assert decide_task.flow_task is ApplicationFlow.decide and decide_task.status == STATUS.NEW
    # Four eyes: though an approver too, the reviewer does not see the decision in their queue.
    reviewer_page.goto(reverse("staff:queue"))
    expect(reviewer_page.locator("#main table caption")).to_be_visible()
    expect(case_row(reviewer_page, application)).to_have_count(0)
    assert decide_task.pk not in {e.task_id for e in selectors.queue_entries(reviewer, selectors.user_roles(reviewer))}
    assert decide_task.pk in {e.task_id for e in selectors.queue_entries(approver, selectors.user_roles(approver))}

    # 5. An approver takes the decision, declares no conflict and approves.
    approver_page = sign_in(new_context, approver)
    assert take_from_queue_and_declare_no_conflict(approver_page, application).pk == decide_task.pk
    expect(approver_page.locator("#recommendation-heading")).to_be_visible()
    expect(approver_page.locator("section[aria-labelledby=recommendation-heading]")).to_contain_text(reviewer.email)
    assert_accessible(approver_page)
    assert_keyboard_reachable(approver_page)
    approver_page.locator("#action-approve button[type=submit]").click()
    # First a confirmation naming the claim and the amount; nothing is decided yet.
    panel = approver_page.locator("#confirm-approval")
    expect(panel).to_be_focused()
    expect(panel.locator("h2")).to_contain_text(application.reference)
    expect(panel.locator("h2")).to_contain_text(f"{computed_amount:,.2f}")
    assert status_of(application) == ApplicationStatus.AWAITING_DECISION
    assert_accessible(approver_page)
    assert_keyboard_reachable(approver_page)
    approver_page.locator("#confirm-approve").click()
    expect(approver_page).to_have_url(url_of(reverse("staff:inbox")))
    expect(approver_page.locator(".messages .success")).to_contain_text(application.reference)
    expect(case_row(approver_page, application)).to_have_count(0)
    assert status_of(application) == ApplicationStatus.APPROVED
    assert application.approver == approver
    assert application.approved_amount == computed_amount
    assert selectors.open_task(application) is None
    approved_amount = f"{application.approved_amount:,.2f}"  # as the pages write it

    # 6. The applicant sees the decision on the claim, and the approval is in public notice.
    applicant.goto(detail_url)
    status = applicant.locator(".status-line .status")
    expect(status).to_have_class(re.compile(r"\bstatus-approved\b"))
    with translation.override("zh-hans"):
        expect(status).to_have_text(str(ApplicationStatus.APPROVED.label))
    # The page has no line of its own for the approved amount: the total of the
    # amount breakdown is the figure the applicant reads (equal here, as recommended).
    expect(applicant.locator("table.amounts tr.total strong")).to_have_text(approved_amount)
    assert any(application.reference in mail.body and approved_amount in mail.body for mail in mailoutbox)
    assert_accessible(applicant)  # the decision, the amounts and the letter
    assert_keyboard_reachable(applicant)

    # The approval letter was generated after the decision committed; the applicant downloads it.
    letter = application.letters.get()
    with applicant.expect_download() as download:
        applicant.locator("table.letters a", has_text=letter.reference).click()
    assert download.value.suggested_filename == f"{letter.reference}.pdf"
    assert Path(download.value.path()).read_bytes() == letter.file.read()

    # Anyone holding it can check it against the digest recorded at issue.
    verifier = new_context().new_page()
    verifier.goto(letter.verify_path)
    expect(verifier.locator("code.digest")).to_have_text(letter.sha256)
    assert_accessible(verifier)
    assert_keyboard_reachable(verifier)
    verifier.set_input_files("input[type=file]", download.value.path())
    verifier.locator("#main form button[type=submit]").click()
    expect(verifier.locator("#check-result")).to_have_class(re.compile(r"\breceipt\b"))
    assert_accessible(verifier)
    assert_keyboard_reachable(verifier)

    public = new_context().new_page()  # nobody signed in
    public.goto(reverse("public_notice"))
    assert application.patent is not None
    notice_row = public.locator("#main table tbody tr").filter(has_text=application.applicant.name)
    expect(notice_row).to_have_count(1)
    expect(notice_row).to_contain_text(application.patent.number)
    expect(notice_row.locator("td.num")).to_have_text(approved_amount)
    assert_accessible(public)
    assert_keyboard_reachable(public)
