"""A new scheme, set up in the admin alone and claimed under the policy ceiling, in Chromium.

A scheme administrator (staff, not a superuser) creates a city's top-up of HK standard
patents and its first round in the Django admin; no code changes. The same patent family
was already granted CNY 1,000 under the provincial HK scheme, whose claim lists CNY 6,000
of official fees. An applicant claims for the same HK patent under the new scheme, a
reviewer and an approver take it through the staff pages, and what is approved is what
the ceiling leaves: half of the family's official fees (counted once, though two claims
list them), less the support already granted: 6,000 * 0.5 - 1,000 = 2,000, below the
5,000 that the cost share alone would give.

Only what comes before the journey is made with factories: the accounts, the applicant
profile and the earlier, approved claim. Visible texts are compared with their Simplified
Chinese translations, as the site shows them by default."""

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import FilePayload, Locator, Page, expect

from subsidy.demo_data import TINY_PDF
from subsidy.models import (
    Application,
    ApplicationStatus,
    AuditEntry,
    CostType,
    DocumentType,
    FundingRound,
    LetterKind,
    LetterStatus,
    PatentFamily,
    Role,
    Scheme,
)
from subsidy.models.schemes import hk_standard_patent_scheme
from subsidy.patent_numbers import Office
from subsidy.rules import rule_set_of
from tests.e2e.axe import assert_accessible
from tests.factories import (
    ApplicantFactory,
    CostItemFactory,
    HKPatentFactory,
    UserFactory,
    payable_application,
    staff_member,
    today,
)
from tests.identifiers import valid_cnipa
from workflows import selectors

PASSWORD = "correct-horse-battery"  # UserFactory's

SCHEME_CODE = "sz-hk-standard-patent"
SCHEME_NAME = "深圳市香港标准专利资助计划"
SCHEME_NAME_EN = "Shenzhen Subsidy Scheme for Hong Kong Standard Patents"
PREFIX = "SZTU"
ROUND_NAME = "2026年度深圳市香港标准专利资助（第一批）"
ROUND_CODE = "sz-hk-2026-1"

HK_NUMBER = "HK1234567"  # as the portal stores what the applicant types ("hk 1234567")
DESIGNATED_NUMBER = valid_cnipa(2023, "0000001")
APPLICANT_NAME = "深圳市前海星河智能科技有限公司"
APPLICANT_NAME_EN = "Shenzhen Qianhai Xinghe Intelligent Technology Co., Ltd."

EARLIER_GRANT = Decimal("1000.00")
OFFICIAL_FEES = Decimal("6000.00")  # listed by both claims: one HK patent, counted once
AGENCY_FEE = Decimal("4000.00")
CEILING_LEFT = Decimal("2000.00")  # 6,000 * 0.5 - 1,000; the cost share gives (6,000 + 4,000) * 0.5 = 5,000


def zh(text: Any) -> str:
    """`text` (a msgid or a lazy translation) as the site shows it, in Simplified Chinese."""
    with translation.override("zh-hans"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def url_of(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path) + "$")


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"  # as the pages and letters write it


def sign_in(new_context: Any, user: Any) -> Page:
    """A fresh browser (its own cookies) in which `user` has signed in."""
    page: Page = new_context().new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/(portal/applications|staff)/$"))
    return page


def admin_field(page: Page, msgid: str) -> Locator:
    """The admin form's field labelled `msgid` (the admin capitalises labels and ends them with a colon)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(zh(msgid))}\s*[:：]?\s*$", re.IGNORECASE))


def admin_choice(page: Page, field_name: str, label: Any) -> Locator:
    """One checkbox of a CheckboxSelectMultiple field of an admin form, by its label."""
    return page.locator(f".field-{field_name}").get_by_role("checkbox", name=zh(label), exact=True)


def admin_save(page: Page) -> None:
    page.locator("#content-main input[name=_save]").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)


def main_submit(page: Page) -> Locator:
    return page.locator("#main form button[type=submit]")


def upload(page: Page, doc_type: str, name: str) -> None:
    page.select_option("#id_doc_type", doc_type)
    payload: FilePayload = {"name": name, "mimeType": "application/pdf", "buffer": TINY_PDF}
    page.set_input_files("#id_file", files=[payload])
    page.click("button[name=upload]")
    expect(page.locator("table.table a", has_text=name)).to_be_visible()


def ceiling_row(page: Page) -> Locator:
    """The amount breakdown's line for what the policy ceiling leaves."""
    return page.locator("table.amounts tfoot tr").filter(
        has_text=zh("Left for this patent under the ceiling on all public support")
    )


def case_row(page: Page, application: Application) -> Locator:
    case_url = reverse("staff:application_detail", kwargs={"pk": application.pk})
    return page.locator("#main table tbody tr").filter(has=page.locator(f"a[href='{case_url}']"))


def take_from_queue_and_declare_no_conflict(page: Page, application: Application) -> None:
    """Assign to me from the queue, then declare no conflict: the task page with its actions."""
    page.goto(reverse("staff:queue"))
    row = case_row(page, application)
    expect(row).to_have_count(1)
    row.locator("form[action$='/assign/'] button[type=submit]").click()
    task = selectors.open_task(application)
    assert task is not None, application.status
    task_url = reverse("staff:task", kwargs={"task_pk": task.pk})
    expect(page).to_have_url(url_of(task_url))
    page.check("input[name=conflict-has_conflict][value=no]")
    main_submit(page).click()
    expect(page).to_have_url(url_of(task_url))
    expect(page.locator("#actions-heading")).to_be_visible()


def pdf_text(pdf: bytes) -> str:
    """The letter's text layer, without white space (pdftotext breaks lines anywhere)."""
    layer = subprocess.run(["/usr/bin/pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", "", layer.stdout.decode())


def status_of(application: Application) -> str:
    application.refresh_from_db()
    return str(application.status)


def test_scheme_set_up_in_the_admin_is_claimed_and_approved_within_the_family_ceiling(new_context):
    scheme_admin = UserFactory(is_staff=True, is_superuser=False, role=Role.SCHEME_ADMIN)
    applicant_user = UserFactory()
    applicant = ApplicantFactory(
        owner=applicant_user, name=APPLICANT_NAME, name_en=APPLICANT_NAME_EN, bank_account_name=APPLICANT_NAME
    )
    reviewer = staff_member(Role.REVIEWER)
    approver = staff_member(Role.APPROVER)

    # The same patent family was granted before under the provincial HK scheme: an
    # approved claim (its own Patent row, same HK number and designated application)
    # that lists the official fees.
    earlier_patent = HKPatentFactory(number=HK_NUMBER, designated_application_number=DESIGNATED_NUMBER)
    earlier = payable_application(
        patent=earlier_patent, amount=EARLIER_GRANT, applicant=applicant, created_by=applicant_user
    )
    CostItemFactory(application=earlier, cost_type=CostType.OFFICIAL_FEE, amount=OFFICIAL_FEES)
    assert earlier.funding_round.scheme == hk_standard_patent_scheme()
    assert earlier.funding_round.scheme.ceiling_share is None

    # 1. The scheme administrator signs in and, in the admin only, sets up the scheme.
    admin_page = sign_in(new_context, scheme_admin)
    admin_page.locator("#work-admin-site").click()
    expect(admin_page).to_have_url(url_of(reverse("admin:index")))
    admin_page.locator("tr.model-scheme a.addlink").click()
    expect(admin_page).to_have_url(url_of(reverse("admin:subsidy_scheme_add")))
    admin_field(admin_page, "scheme code").fill(SCHEME_CODE)
    admin_field(admin_page, "name").fill(SCHEME_NAME)
    admin_field(admin_page, "name in English").fill(SCHEME_NAME_EN)
    admin_field(admin_page, "legal basis").fill("深圳市知识产权专项资金管理办法（测试）")
    admin_field(admin_page, "reference prefix").fill(PREFIX)
    admin_choice(admin_page, "offices", Office.HK.label).check()
    admin_field(admin_page, "rule set").select_option("hk_standard_patent")
    admin_field(admin_page, "amount method").select_option("cost_share")
    admin_choice(admin_page, "required_documents", DocumentType.GRANT_CERTIFICATE.label).check()
    admin_choice(admin_page, "required_documents", DocumentType.FEE_RECEIPT.label).check()
    admin_field(admin_page, "ceiling: share of official fees").fill("0.5")
    expect(admin_field(admin_page, "ends on")).to_have_value("")  # no sunset
    admin_save(admin_page)
    expect(admin_page).to_have_url(url_of(reverse("admin:subsidy_scheme_changelist")))

    scheme = Scheme.objects.get(code=SCHEME_CODE)
    assert (scheme.name, scheme.name_en, scheme.reference_prefix) == (SCHEME_NAME, SCHEME_NAME_EN, PREFIX)
    assert scheme.offices == ["HK"]
    assert (scheme.rule_set, scheme.amount_method) == ("hk_standard_patent", "cost_share")
    assert sorted(scheme.required_documents) == ["fee_receipt", "grant_certificate"]
    assert scheme.ceiling_share == Decimal("0.5") and scheme.sunset_on is None

    # ... and its first round, open today, for patents granted in the last year.
    admin_page.goto(reverse("admin:index"))
    admin_page.locator("tr.model-fundinground a.addlink").click()
    expect(admin_page).to_have_url(url_of(reverse("admin:subsidy_fundinground_add")))
    admin_field(admin_page, "scheme").select_option(label=SCHEME_NAME)
    admin_field(admin_page, "name").fill(ROUND_NAME)
    admin_field(admin_page, "name in English").fill("Shenzhen HK standard patents 2026, first round")
    admin_field(admin_page, "code").fill(ROUND_CODE)
    admin_field(admin_page, "budget (CNY)").fill("500000.00")
    admin_field(admin_page, "open for claims from").fill(today().isoformat())
    admin_field(admin_page, "open for claims until").fill((today() + dt.timedelta(days=90)).isoformat())
    admin_field(admin_page, "grant date from").fill((today() - dt.timedelta(days=365)).isoformat())
    admin_field(admin_page, "grant date until").fill(today().isoformat())
    admin_field(admin_page, "cap per patent (CNY)").fill("8000.00")
    admin_field(admin_page, "cap per applicant per year (CNY)").fill("200000.00")
    admin_field(admin_page, "reimbursement rate").fill("0.5")
    admin_save(admin_page)
    expect(admin_page).to_have_url(url_of(reverse("admin:subsidy_fundinground_changelist")))

    funding_round = FundingRound.objects.get(code=ROUND_CODE)
    assert funding_round.scheme == scheme and funding_round.is_open_on(today())
    assert funding_round.reimbursement_rate == Decimal("0.5") and funding_round.per_patent_cap == Decimal("8000.00")
    # Both set-ups are audited, as the scheme administrator's.
    for subject in (scheme, funding_round):
        assert AuditEntry.objects.for_object(subject).filter(transition="admin_create", actor=scheme_admin).exists()

    # 2. The applicant claims under the new scheme, for the same HK patent.
    portal = sign_in(new_context, applicant_user)
    portal.locator(f"#main a[href='{reverse('portal:application_new')}']").click()
    expect(portal).to_have_url(url_of(reverse("portal:application_new")))
    portal.get_by_label(zh("Applicant")).select_option(str(applicant.pk))
    choice = portal.get_by_label(zh("Scheme and funding round"))
    expect(choice.locator("option", has_text=f"{SCHEME_NAME}: {ROUND_NAME}")).to_have_count(1)
    choice.select_option(label=f"{SCHEME_NAME}: {ROUND_NAME}")
    assert_accessible(portal)
    main_submit(portal).click()

    expect(portal).to_have_url(re.compile(r"/portal/applications/\d+/applicant/$"))
    application = Application.objects.exclude(pk=earlier.pk).get()
    assert application.funding_round == funding_round
    portal.click("button[name=continue]")

    expect(portal).to_have_url(re.compile(r"/patent/$"))
    portal.get_by_label(zh("HK patent number")).fill("hk 1234567")
    portal.check("input[name=kind][value=standard]")
    portal.check("input[name=route][value=R]")
    portal.check("input[name=designated_office][value=CNIPA]")
    portal.fill("#id_designated_application_number", DESIGNATED_NUMBER)
    portal.fill("#id_title_zh", "一种用于无人机的智能避障装置")
    portal.fill("#id_title_en", "Intelligent obstacle avoidance device for drones")
    portal.fill("#id_grant_date", (today() - dt.timedelta(days=30)).isoformat())
    portal.get_by_label(zh("Registered proprietors")).fill(APPLICANT_NAME)
    portal.click("button[name=continue]")

    expect(portal).to_have_url(re.compile(r"/costs/$"))
    paid_on = (today() - dt.timedelta(days=40)).isoformat()
    for index, (cost_type, amount, receipt) in enumerate(
        [("official_fee", OFFICIAL_FEES, "IPD-2026-0001"), ("agency_fee", AGENCY_FEE, "SZ-2026-0042")]
    ):
        if index:
            portal.locator("#add-cost-item").click()
        portal.select_option(f"#id_costs-{index}-cost_type", cost_type)
        portal.fill(f"#id_costs-{index}-amount", str(amount))
        portal.select_option(f"#id_costs-{index}-currency", "CNY")
        portal.fill(f"#id_costs-{index}-paid_on", paid_on)
        portal.fill(f"#id_costs-{index}-receipt_number", receipt)
    portal.click("button[name=continue]")

    expect(portal).to_have_url(re.compile(r"/documents/$"))
    upload(portal, "grant_certificate", "grant-certificate.pdf")
    upload(portal, "fee_receipt", "fee-receipts.pdf")
    upload(portal, "business_licence", "business-licence.pdf")
    portal.click("#main p.actions a[href$='/declarations/']")

    # Under a scheme with the ceiling, the declarations ask for other public support.
    expect(portal).to_have_url(re.compile(r"/declarations/$"))
    other_support = portal.get_by_label(zh("other public support for this patent (CNY)"), exact=False)
    expect(other_support).to_be_visible()
    other_support.fill("0")
    portal.check("#id_declare_true_and_complete")
    portal.check("#id_declare_no_double_funding")
    portal.check("#id_declare_consent_to_checks")
    assert_accessible(portal)
    portal.click("button[name=continue]")

    # The review step already shows the ceiling's limit on the amount.
    expect(portal).to_have_url(re.compile(r"/review/$"))
    expect(portal.locator("#error-summary")).to_have_count(0)
    expect(ceiling_row(portal).locator("td.num")).to_have_text(money(CEILING_LEFT))
    expect(portal.locator("table.amounts tr.total strong")).to_have_text(money(CEILING_LEFT))
    main_submit(portal).click()

    detail_url = reverse("portal:application_detail", kwargs={"pk": application.pk})
    expect(portal).to_have_url(url_of(detail_url))
    receipt = portal.locator(".receipt strong")
    expect(receipt).to_have_text(re.compile(rf"^{PREFIX}-\d{{4}}-\d{{6}}$"))
    assert status_of(application) == ApplicationStatus.SUBMITTED
    assert application.reference == receipt.inner_text()
    assert application.reference.startswith(f"{PREFIX}-{today().year}-")
    # One family: the two claims' patents are separate rows that share it.
    patent = application.patent
    assert patent is not None and patent.pk != earlier_patent.pk
    assert patent.number == HK_NUMBER and patent.family_id == earlier_patent.family_id
    assert PatentFamily.objects.count() == 1
    assert application.requested_amount == CEILING_LEFT

    # 3. A reviewer takes the claim, sees the ceiling line on the case and recommends
    # the computed amount, which the ceiling set.
    reviewer_page = sign_in(new_context, reviewer)
    take_from_queue_and_declare_no_conflict(reviewer_page, application)
    expect(ceiling_row(reviewer_page).locator("td.num")).to_have_text(money(CEILING_LEFT))
    passing = reviewer_page.locator("#action-checklist input[type=radio][value=pass]")
    expect(passing).to_have_count(len(rule_set_of(funding_round).codes))
    for radio in passing.all():
        expect(radio).to_be_checked()
    expect(reviewer_page.locator("#id_recommend_approve-amount")).to_have_value(str(CEILING_LEFT))
    reviewer_page.locator("#action-recommend_approve button[type=submit]").click()
    expect(reviewer_page).to_have_url(url_of(reverse("staff:inbox")))
    expect(reviewer_page.locator(".messages .success")).to_contain_text(application.reference)
    assert status_of(application) == ApplicationStatus.AWAITING_DECISION
    assert application.recommended_amount == CEILING_LEFT

    # 4. An approver approves, after the confirmation that names the amount.
    approver_page = sign_in(new_context, approver)
    take_from_queue_and_declare_no_conflict(approver_page, application)
    expect(ceiling_row(approver_page).locator("td.num")).to_have_text(money(CEILING_LEFT))
    approver_page.locator("#action-approve button[type=submit]").click()
    panel = approver_page.locator("#confirm-approval")
    expect(panel).to_be_focused()
    expect(panel.locator("h2")).to_contain_text(application.reference)
    expect(panel.locator("h2")).to_contain_text(money(CEILING_LEFT))
    approver_page.locator("#confirm-approve").click()
    expect(approver_page).to_have_url(url_of(reverse("staff:inbox")))
    expect(approver_page.locator(".messages .success")).to_contain_text(application.reference)
    assert status_of(application) == ApplicationStatus.APPROVED
    assert application.approved_amount == CEILING_LEFT
    assert application.approver == approver and application.reviewer == reviewer

    # The case page, after the decision, keeps the ceiling line that limited the amount.
    approver_page.goto(reverse("staff:application_detail", kwargs={"pk": application.pk}))
    expect(ceiling_row(approver_page).locator("td.num")).to_have_text(money(CEILING_LEFT))
    expect(approver_page.locator("table.amounts tr.total strong")).to_have_text(money(CEILING_LEFT))

    # 5. The applicant sees the decision with the ceiling line, and the approval letter,
    # issued under the new scheme, names it and the ceiling's limit.
    portal.goto(detail_url)
    status = portal.locator(".status-line .status")
    expect(status).to_have_class(re.compile(r"\bstatus-approved\b"))
    expect(portal.locator(".receipt")).to_contain_text(money(CEILING_LEFT))
    expect(ceiling_row(portal).locator("td.num")).to_have_text(money(CEILING_LEFT))
    expect(portal.locator("table.amounts tr.total strong")).to_have_text(money(CEILING_LEFT))

    letter = application.letters.get()
    assert (letter.kind, letter.status) == (LetterKind.APPROVAL, LetterStatus.ISSUED)
    assert letter.reference.startswith(application.reference)
    with portal.expect_download() as download:
        portal.locator("table.letters a", has_text=letter.reference).click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf == letter.file.read()
    text = pdf_text(pdf)
    assert SCHEME_NAME in text
    assert re.sub(r"\s+", "", SCHEME_NAME_EN) in text
    assert hk_standard_patent_scheme().name not in text  # the letterhead is the new scheme's
    assert application.reference in text
    assert APPLICANT_NAME in text and re.sub(r"\s+", "", APPLICANT_NAME_EN) in text
    assert "同一专利各级财政资助合计上限余额" in text  # the ceiling's line
    assert f"¥{money(CEILING_LEFT)}" in text
    assert "人民币贰仟元整" in text
