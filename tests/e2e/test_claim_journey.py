"""The applicant's journeys through the portal in Chromium.

Elements are found by form field names and ids, never by visible text: the site
answers in Simplified Chinese by default."""

import datetime as dt
import re
import struct
import zlib

from django.test import Client
from django.urls import reverse
from playwright.sync_api import FilePayload, Locator, Page, expect

from subsidy.demo_data import TINY_PDF
from subsidy.identifiers import USCC_ALPHABET
from subsidy.models import Applicant, Application, ApplicationStatus
from subsidy.portal.steps import CLAIM_STEPS
from tests.e2e.axe import assert_accessible
from tests.e2e.keyboard import assert_keyboard_reachable
from tests.factories import FundingRoundFactory, UserFactory, submitted_application, today
from tests.identifiers import valid_cnipa, valid_uscc

REFERENCE = re.compile(r"GDHK-\d{4}-\d{6}")
APPLICANT_NAME = "深圳市前海星河智能科技有限公司"


def png_bytes() -> bytes:
    """A valid one-pixel greyscale PNG (the portal only checks the signature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def main_submit(page: Page) -> Locator:
    # Buttons in the header (sign out, language) are outside <main>.
    return page.locator("#main form button[type=submit]")


def fill_applicant_profile(page: Page, uscc: str) -> None:
    page.check("input[name=kind][value=organisation]")
    page.fill("#id_name", APPLICANT_NAME)
    page.fill("#id_name_en", "Shenzhen Qianhai Xinghe Intelligent Technology Co., Ltd.")
    page.fill("#id_uscc", uscc)
    page.select_option("#id_city", "shenzhen")
    page.fill("#id_address", "深圳市南山区前海深港合作区前湾一路 1 号")
    page.fill("#id_contact_person", "李明")
    page.fill("#id_phone", "0755-26881234")
    page.fill("#id_email", "ip@xinghe.example.cn")
    page.fill("#id_bank_account_name", APPLICANT_NAME)
    page.fill("#id_bank_name", "中国工商银行深圳前海分行")
    page.fill("#id_bank_account_number", "4000023409200123456")
    page.fill("#id_cnaps_code", "102584002345")


def upload(page: Page, doc_type: str, name: str, mime_type: str, content: bytes) -> None:
    page.select_option("#id_doc_type", doc_type)
    payload: FilePayload = {"name": name, "mimeType": mime_type, "buffer": content}
    page.set_input_files("#id_file", files=[payload])
    page.click("button[name=upload]")
    expect(page.locator("table.table a", has_text=name)).to_be_visible()


def test_new_applicant_signs_up_fills_the_claim_fixes_a_uscc_and_gets_a_receipt(page, mailoutbox):
    funding_round = FundingRoundFactory()
    good_uscc = valid_uscc("440300", "MA5F3K2Q8")
    wrong_uscc = good_uscc[:-1] + next(c for c in USCC_ALPHABET if c != good_uscc[-1])
    email = "founder@xinghe.example.cn"

    # Sign up: the site answers in Simplified Chinese.
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.fill("#id_email", email)
    page.fill("#id_password1", "Qianhai-Xinghe-2026")
    page.fill("#id_password2", "Qianhai-Xinghe-2026")
    main_submit(page).click()

    # The account is activated by the emailed link (opening it changes nothing; the button does).
    expect(page.locator("h1")).to_have_text("请查收邮件")
    assert_accessible(page)
    link = re.search(r"https?://[^/]+(/accounts/activate/\S+)", mailoutbox[-1].body).group(1)
    page.goto(link)
    assert_accessible(page)
    assert_keyboard_reachable(page)
    main_submit(page).click()

    # The applicant profile, first with a wrong USCC check character.
    expect(page).to_have_url(re.compile(r"/portal/applicants/new/$"))
    assert_accessible(page)
    assert_keyboard_reachable(page)
    fill_applicant_profile(page, wrong_uscc)
    main_submit(page).click()
    expect(page.locator("#field-uscc .error")).to_be_visible()
    expect(page.locator("#field-uscc")).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator("#id_name")).to_have_value(APPLICANT_NAME)
    assert Applicant.objects.count() == 0
    assert_accessible(page)  # the form with its error summary and the field's error
    assert_keyboard_reachable(page)
    # The error is announced (an alert summary) and linked to its field both ways.
    expect(page.locator("#error-summary")).to_have_attribute("role", "alert")
    expect(page.locator("#error-summary a[href='#id_uscc']")).to_have_count(1)
    expect(page.locator("#id_uscc")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_uscc")).to_have_attribute("aria-describedby", re.compile(r"\bid_uscc_error\b"))
    page.fill("#id_uscc", good_uscc)
    main_submit(page).click()

    # A new claim in the open round.
    expect(page).to_have_url(re.compile(r"/portal/applications/new/$"))
    assert_accessible(page)
    assert_keyboard_reachable(page)
    applicant = Applicant.objects.get()
    assert applicant.uscc == good_uscc
    page.select_option("#id_applicant", str(applicant.pk))
    page.select_option("#id_funding_round", str(funding_round.pk))
    main_submit(page).click()

    # Step 1: applicant, as saved.
    expect(page).to_have_url(re.compile(r"/portal/applications/\d+/applicant/$"))
    assert_accessible(page)
    assert_keyboard_reachable(page)
    expect(page.locator("#id_uscc")).to_have_value(good_uscc)
    page.click("button[name=continue]")

    # Step 2: the HK patent, re-registered from a CNIPA invention application.
    expect(page).to_have_url(re.compile(r"/patent/$"))
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.fill("#id_number", "hk 1234567")
    page.check("input[name=kind][value=standard]")
    page.check("input[name=route][value=R]")
    page.check("input[name=designated_office][value=CNIPA]")
    page.fill("#id_designated_application_number", valid_cnipa(2023, "0000001"))
    page.fill("#id_title_zh", "一种用于无人机的智能避障装置")
    page.fill("#id_title_en", "Intelligent obstacle avoidance device for drones")
    page.fill("#id_grant_date", (today() - dt.timedelta(days=30)).isoformat())
    page.fill("#id_proprietors", APPLICANT_NAME)
    page.click("button[name=continue]")

    # Step 3: one agency fee.
    expect(page).to_have_url(re.compile(r"/costs/$"))
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.select_option("#id_costs-0-cost_type", "agency_fee")
    page.fill("#id_costs-0-amount", "8000.00")
    page.select_option("#id_costs-0-currency", "CNY")
    page.fill("#id_costs-0-paid_on", (today() - dt.timedelta(days=40)).isoformat())
    page.fill("#id_costs-0-receipt_number", "SZ-2026-0042")
    page.click("button[name=continue]")

    # Step 4: documents, uploaded from memory.
    expect(page).to_have_url(re.compile(r"/documents/$"))
    upload(page, "grant_certificate", "grant-certificate.pdf", "application/pdf", TINY_PDF)
    upload(page, "fee_receipt", "agency-fee-receipt.png", "image/png", png_bytes())
    upload(page, "business_licence", "business-licence.pdf", "application/pdf", TINY_PDF)
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.click("#main p.actions a[href$='/declarations/']")

    # Step 5: declarations.
    expect(page).to_have_url(re.compile(r"/declarations/$"))
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.check("#id_declare_true_and_complete")
    page.check("#id_declare_no_double_funding")
    page.check("#id_declare_consent_to_checks")
    page.click("button[name=continue]")

    # Step 6: review, nothing missing; submit.
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.locator("#error-summary")).to_have_count(0)
    assert_accessible(page)
    assert_keyboard_reachable(page)
    main_submit(page).click()

    # The receipt.
    expect(page).to_have_url(re.compile(r"/portal/applications/\d+/$"))
    receipt = page.locator(".receipt strong")
    expect(receipt).to_have_text(REFERENCE)
    reference = receipt.inner_text()
    assert_accessible(page)
    assert_keyboard_reachable(page)
    assert REFERENCE.fullmatch(reference), reference
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference == reference
    assert application.patent is not None and application.patent.number.startswith("HK1234567")
    assert application.documents.count() == 3
    assert len(mailoutbox) == 2  # the activation link, then the receipt
    assert reference in mailoutbox[1].body
    assert email in mailoutbox[1].to


def test_another_applicant_cannot_open_the_claim_or_its_documents(page):
    application = submitted_application()
    documents = list(application.documents.all())
    assert len(documents) == 3
    own_urls = [
        reverse("portal:application_detail", kwargs={"pk": application.pk}),
        *(reverse(step.url_name, kwargs={"pk": application.pk}) for step in CLAIM_STEPS),
        reverse("portal:application_withdraw", kwargs={"pk": application.pk}),
    ]
    document_urls = [
        reverse("portal:document_download", kwargs={"pk": application.pk, "document_pk": d.pk}) for d in documents
    ]

    # The owner reaches every one of these URLs: a 404 below is not a typo in a URL.
    owner = Client()
    owner.force_login(application.created_by)
    assert all(owner.get(url).status_code in (200, 302) for url in own_urls)
    assert all(owner.get(url).status_code == 200 for url in document_urls)

    other = UserFactory()
    page.goto("/accounts/login/")
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.fill("#id_username", other.username)
    page.fill("#id_password", "correct-horse-battery")
    main_submit(page).click()
    expect(page).to_have_url(re.compile(r"/portal/applications/$"))
    assert_accessible(page)
    assert_keyboard_reachable(page)

    for url in own_urls:
        response = page.goto(url)
        assert response is not None and response.status == 404, url
    for url in document_urls:
        assert page.request.get(url).status == 404, url
    for url in ("/staff/applications/", f"/staff/applications/{application.pk}/"):
        response = page.goto(url)
        assert response is not None and response.status == 403, url


def test_language_switcher_offers_three_languages_and_remembers_the_choice(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_accessible(page)
    assert_keyboard_reachable(page)
    options = page.locator("#language-select option")
    expect(options).to_have_count(3)
    assert [o.get_attribute("value") for o in options.all()] == ["zh-hans", "zh-hant", "en"]
    page.select_option("#language-select", "zh-hant")
    page.click("form:has(#language-select) button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.locator("#language-select")).to_have_value("zh-hant")
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.locator("#language-select")).to_have_value("zh-hant")
    page.select_option("#language-select", "en")
    page.click("form:has(#language-select) button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-select")).to_have_value("en")
    assert_accessible(page)
    assert_keyboard_reachable(page)
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_language_can_be_switched_with_the_keyboard_alone(page):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    # Tab on to the switcher, whatever the header holds before it.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "language-select":
            break
    expect(page.locator("#language-select")).to_be_focused()
    page.keyboard.press("ArrowDown")  # zh-hans -> zh-hant
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.locator("#language-select")).to_have_value("zh-hant")
