"""Paying approved claims in Chromium: a finance officer builds and submits a batch, a
second finance person releases it and downloads the pain.001 file, the officer imports
the bank's return, and the applicant sees the payment date. Factories make only what
comes before: approved claims past their public notice and the accounts."""

import hashlib
import re
from typing import Any

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from subsidy.models import Application, ApplicationStatus, Batch, BatchExport, BatchStatus, Role
from tests.e2e.axe import assert_accessible
from tests.e2e.keyboard import assert_keyboard_reachable
from tests.factories import finance_staff, payable_application, today

PASSWORD = "correct-horse-battery"  # UserFactory's


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def sign_in(new_context: Any, user: Any) -> Page:
    page: Page = new_context(accept_downloads=True).new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/(portal/applications|staff)/$"))
    return page


def test_batch_from_build_to_reconciliation(new_context, tmp_path):
    paid, returned = payable_application(), payable_application()
    officer = finance_staff(Role.FINANCE_OFFICER)
    checker = finance_staff(Role.FINANCE_APPROVER)

    # 1. The officer finds Disbursement in the staff menu, sees 2 claims, builds and submits.
    page = sign_in(new_context, officer)
    page.get_by_role("link", name=zh("Disbursement")).click()
    assert_accessible(page)  # the batch list, empty
    assert_keyboard_reachable(page)
    page.get_by_role("link", name=zh("Build a new batch")).click()
    expect(page.locator("#selection-heading")).to_contain_text("2")
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.locator("#build-batch").click()
    batch = Batch.objects.get()
    detail = reverse("staff:batch_detail", kwargs={"pk": batch.pk})
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(page.locator("#main")).not_to_contain_text(paid.applicant.bank_account_number)
    assert_accessible(page)  # a draft batch
    assert_keyboard_reachable(page)
    page.locator("#action-submit").click()
    expect(page.locator("#action-release")).to_have_count(0)  # never for the submitter
    assert Batch.objects.get().status == BatchStatus.SUBMITTED

    # 2. The finance approver releases it and downloads the bank file.
    # Their home says the batch waits for them and leads to it.
    approver_page = sign_in(new_context, checker)
    expect(approver_page.locator("#work-releasable")).to_contain_text("1")
    assert_accessible(approver_page)
    assert_keyboard_reachable(approver_page)
    approver_page.locator(f"#main a[href='{detail}']").click()
    expect(approver_page).to_have_url(re.compile(re.escape(detail) + "$"))
    assert_accessible(approver_page)  # a submitted batch, for the releasing approver
    assert_keyboard_reachable(approver_page)
    approver_page.locator("#action-release").click()
    expect(approver_page.locator("#export-pain001")).to_be_visible()
    assert_accessible(approver_page)  # a released batch with its exports
    assert_keyboard_reachable(approver_page)
    assert Application.objects.get(pk=paid.pk).status == ApplicationStatus.IN_PAYMENT
    with approver_page.expect_download() as download:
        approver_page.locator("#export-pain001").click()
    expect(approver_page.locator("#import-form")).to_be_visible()  # for the bank's answer, no reload needed
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{batch.reference}.xml"
    assert BatchExport.objects.get().sha256 == hashlib.sha256(saved.read_bytes()).hexdigest()

    # 3. The officer imports the bank's answer: one paid, one returned.
    page.goto(detail)
    expect(page.locator("#main")).to_contain_text(BatchExport.objects.get().sha256)
    answer = tmp_path / "return.csv"
    answer.write_text(f"{paid.reference},paid,ICBC0001,\n{returned.reference},failed,,AC04 账户已销户\n")
    page.set_input_files("#import-form input[type=file]", str(answer))
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    assert Batch.objects.get().status == BatchStatus.RECONCILED
    assert_accessible(page)  # the reconciled batch with the import's report
    assert_keyboard_reachable(page)
    page.goto(reverse("staff:batch_list"))
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.goto(reverse("staff:budget"))
    expect(page.locator("#main table")).to_be_visible()
    assert_accessible(page)
    assert_keyboard_reachable(page)
    assert Application.objects.get(pk=returned.pk).status == ApplicationStatus.APPROVED

    # 4. The applicant sees when the subsidy was paid.
    applicant = sign_in(new_context, paid.created_by)
    applicant.goto(reverse("portal:application_detail", kwargs={"pk": paid.pk}))
    expect(applicant.locator(".paid")).to_contain_text(f"{today().year}年{today().month}月{today().day}日")
    assert_accessible(applicant)
    assert_keyboard_reachable(applicant)
