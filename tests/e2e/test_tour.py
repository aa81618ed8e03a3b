"""A tour of the demo data (`make run`) through the main pages of the three journeys:
each page passes axe-core, is usable by keyboard alone, and is photographed for the
README. `make screenshots` (SUBSIDY_UPDATE_SCREENSHOTS=1) writes the pictures into
docs/screenshots/; otherwise they go to a temporary directory, so a test run leaves the
work tree as it was."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from subsidy.demo import load_demo
from subsidy.demo_data import DEMO_ACCOUNTS, DEMO_PAID_BATCH
from subsidy.models import ApplicantChange, Application, ApplicationStatus, Batch, Letter, LetterStatus, Role
from subsidy.services.applicants import applicant_update
from subsidy.services.identity_claims import identity_claim_submit
from tests.e2e.axe import assert_accessible
from tests.e2e.keyboard import assert_keyboard_reachable
from tests.e2e.tour_pages import signed_in
from tests.factories import pdf_upload

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
README = ROOT / "README.md"
# What the README shows, in its order: (file name, caption).
TOUR = [
    ("portal-home", "The applicant portal's home page"),
    ("portal-claim", "An approved claim, as its applicant sees it: amount, notice, letter"),
    ("portal-costs", "Filing a claim: the costs step"),
    ("staff-queue", "The reviewers' queue, with filters"),
    ("staff-case", "A case page: applicant, documents, the amount line by line, the history"),
    ("finance-batch", "A reconciled disbursement batch"),
    ("staff-reports", "The reports dashboard"),
    ("public-notice", "The public notice, in English"),
    ("letter", "An approval letter (PDF/A-3u, Simplified Chinese then English)"),
]


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    return SCREENSHOTS if os.environ.get("SUBSIDY_UPDATE_SCREENSHOTS") else tmp_path


def check(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible()
    assert_accessible(page)
    assert_keyboard_reachable(page)


def visit(page: Page, url: str, name: str, shots: Path) -> None:
    check(page, url)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.screenshot(path=shots / f"{name}.png")


def test_tour_of_the_demo(new_context, live_server, shots_dir):
    load_demo()
    accounts = {role: email for email, role in DEMO_ACCOUNTS}

    anonymous = new_context(viewport={"width": 1280, "height": 860}).new_page()
    visit(anonymous, "/", "portal-home", shots_dir)
    anonymous.goto("/")
    anonymous.select_option("select[name=language]", "en")
    anonymous.locator("form.language button").click()
    visit(anonymous, reverse("public_notice"), "public-notice", shots_dir)
    expect(anonymous.locator("html")).to_have_attribute("lang", "en")

    agent = signed_in(new_context, live_server, accounts[Role.AGENT])
    claim = Application.objects.filter(
        status=ApplicationStatus.APPROVED,
        created_by__username=accounts[Role.AGENT],
        notice_ends_on__gte=timezone.localdate(),  # still in public notice
    ).first()
    visit(agent, reverse("portal:application_detail", kwargs={"pk": claim.pk}), "portal-claim", shots_dir)
    draft = Application.objects.get(status=ApplicationStatus.DRAFT, created_by__username=accounts[Role.AGENT])
    visit(agent, reverse("portal:claim_costs", kwargs={"pk": draft.pk}), "portal-costs", shots_dir)

    reviewer = signed_in(new_context, live_server, accounts[Role.REVIEWER])
    visit(reviewer, reverse("staff:queue"), "staff-queue", shots_dir)
    awaiting = Application.objects.filter(status=ApplicationStatus.AWAITING_DECISION).order_by("pk").first()
    visit(reviewer, reverse("staff:application_detail", kwargs={"pk": awaiting.pk}), "staff-case", shots_dir)

    check(reviewer, reverse("staff:inbox"))
    # A review task with its checklist and the three decisions' forms.
    task = Task.objects.filter(owner__username=accounts[Role.REVIEWER], status=STATUS.ASSIGNED).order_by("pk").first()
    check(reviewer, reverse("staff:task", kwargs={"task_pk": task.pk}))

    finance = signed_in(new_context, live_server, accounts[Role.FINANCE_OFFICER])
    check(finance, reverse("staff:batch_new"))
    batch = Batch.objects.get(reference=DEMO_PAID_BATCH)
    visit(finance, reverse("staff:batch_detail", kwargs={"pk": batch.pk}), "finance-batch", shots_dir)

    auditor = signed_in(new_context, live_server, accounts[Role.AUDITOR])
    visit(auditor, reverse("staff:reports"), "staff-reports", shots_dir)

    admin = signed_in(new_context, live_server, accounts[Role.SCHEME_ADMIN])
    check(admin, reverse("staff:accounts"))
    reviewer_account = get_user_model().objects.get(username=accounts[Role.REVIEWER])
    check(admin, reverse("staff:hand_over", args=[reviewer_account.pk]))  # the tasks they hold, a form
    expect(admin.locator("main table tbody tr")).not_to_have_count(0)
    check(admin, reverse("staff:two_factor_reset", args=[reviewer_account.pk]))
    # The reset itself, and the page that shows the enrolment code once.
    admin.fill("textarea[name=reason]", "Phone lost; called back on the office number.")
    admin.locator("main form button[type=submit]").click()
    expect(admin.locator("code.secret-key")).to_have_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$"))
    assert_accessible(admin)
    assert_keyboard_reachable(admin)

    # Who the applicant is: the agency changes the bank account of an approved claim (held
    # for two people to verify), and someone claims a registered profile as theirs.
    approved = Application.objects.filter(
        status=ApplicationStatus.APPROVED, created_by__username=accounts[Role.AGENT]
    ).first()
    applicant_update(
        applicant=approved.applicant,
        by=get_user_model().objects.get(username=accounts[Role.AGENT]),
        fields={"bank_account_number": "6217850000001234567"},
    )
    change = ApplicantChange.objects.get(applicant=approved.applicant)
    check(finance, reverse("staff:applicant_changes"))
    check(finance, reverse("staff:applicant_change", args=[change.pk]))  # before and after, the three verbs
    check(agent, reverse("portal:applicant_edit", args=[approved.applicant.pk]))  # "waiting for verification"
    claimant = get_user_model().objects.create_user(username="real.owner@example.cn", email="real.owner@example.cn")
    claim = identity_claim_submit(
        by=claimant, number=approved.applicant.uscc or approved.applicant.id_number, evidence=pdf_upload()
    )
    check(admin, reverse("staff:identity_claims"))
    check(admin, reverse("staff:identity_claim", args=[claim.pk]))
    check(agent, reverse("portal:identity_claim"))

    letter = Letter.objects.filter(status=LetterStatus.ISSUED, kind="approval").order_by("pk").first()
    pdf = shots_dir / "letter.pdf"
    with letter.file.open("rb") as handle:
        pdf.write_bytes(handle.read())
    subprocess.run(  # noqa: S603 - fixed arguments, our own letter
        ["/usr/bin/pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(shots_dir / "letter")],
        check=True,
    )
    pdf.unlink()

    for name, _caption in TOUR:
        assert (shots_dir / f"{name}.png").stat().st_size > 10_000, name


def test_the_readme_shows_every_screenshot_of_the_tour():
    shown = re.findall(r"docs/screenshots/([a-z-]+)\.png", README.read_text(encoding="utf-8"))
    assert shown == [name for name, _caption in TOUR]
    for name in shown:
        assert (SCREENSHOTS / f"{name}.png").is_file(), f"run `make screenshots` to create {name}.png"
