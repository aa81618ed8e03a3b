"""The demo tour's browsers and pages (`make run`'s data). signed_in() opens a browser for
a demo user (tests/e2e/test_tour.py, tests/e2e/test_phone_width.py); tour_pages() lists
the pages the tour visits, and a few more of the same journeys, with who looks at each:
the phone-width check walks them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from subsidy.demo_data import DEMO_ACCOUNTS, DEMO_PAID_BATCH
from subsidy.models import ApplicantChange, Application, ApplicationStatus, Batch, Role
from subsidy.services.applicants import applicant_update
from subsidy.services.identity_claims import identity_claim_submit
from tests.factories import pdf_upload

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class TourPage:
    name: str
    role: Role | None  # None: nobody signed in
    url: str


def demo_email(role: Role) -> str:
    return next(email for email, demo_role in DEMO_ACCOUNTS if demo_role == role)


def signed_in(new_context: Any, live_server: Any, email: str, viewport: dict[str, int] = DESKTOP) -> Page:
    """A browser in which the demo user `email` is signed in (a session made server-side,
    so the tour does not depend on how the sign-in page asks for credentials)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=email))
    context = new_context(viewport=viewport)
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


def tour_pages() -> list[TourPage]:
    """Every page of the tour, after load_demo(). Adds what the tour adds to the demo: a
    bank account change waiting for verification and a claim to a registered profile."""
    agent = demo_email(Role.AGENT)
    reviewer = get_user_model().objects.get(username=demo_email(Role.REVIEWER))
    claim = Application.objects.filter(
        status=ApplicationStatus.APPROVED,
        created_by__username=agent,
        notice_ends_on__gte=timezone.localdate(),  # still in public notice
    ).first()
    draft = Application.objects.get(status=ApplicationStatus.DRAFT, created_by__username=agent)
    awaiting = Application.objects.filter(status=ApplicationStatus.AWAITING_DECISION).order_by("pk").first()
    task = Task.objects.filter(owner=reviewer, status=STATUS.ASSIGNED).order_by("pk").first()
    batch = Batch.objects.get(reference=DEMO_PAID_BATCH)
    approved = Application.objects.filter(status=ApplicationStatus.APPROVED, created_by__username=agent).first()
    change = ApplicantChange.objects.filter(applicant=approved.applicant).first()
    if change is None:
        applicant_update(
            applicant=approved.applicant,
            by=get_user_model().objects.get(username=agent),
            fields={"bank_account_number": "6217850000001234567"},
        )
        change = ApplicantChange.objects.get(applicant=approved.applicant)
    claimant, _created = get_user_model().objects.get_or_create(
        username="real.owner@example.cn", defaults={"email": "real.owner@example.cn"}
    )
    identity_claim = identity_claim_submit(
        by=claimant, number=approved.applicant.uscc or approved.applicant.id_number, evidence=pdf_upload()
    )
    return [
        TourPage("portal home", None, reverse("home")),
        TourPage("public notice", None, reverse("public_notice")),
        TourPage("sign-in", None, reverse("login")),
        TourPage("sign-up", None, reverse("signup")),
        TourPage("claim list", Role.AGENT, reverse("portal:application_list")),
        TourPage("claim page", Role.AGENT, reverse("portal:application_detail", kwargs={"pk": claim.pk})),
        TourPage("costs step", Role.AGENT, reverse("portal:claim_costs", kwargs={"pk": draft.pk})),
        TourPage("documents step", Role.AGENT, reverse("portal:claim_documents", kwargs={"pk": draft.pk})),
        TourPage("review step", Role.AGENT, reverse("portal:claim_review", kwargs={"pk": draft.pk})),
        TourPage("applicant profiles", Role.AGENT, reverse("portal:applicant_list")),
        TourPage("applicant edit", Role.AGENT, reverse("portal:applicant_edit", args=[approved.applicant.pk])),
        TourPage("identity claim form", Role.AGENT, reverse("portal:identity_claim")),
        TourPage("API tokens", Role.AGENT, reverse("api_tokens")),
        TourPage("reviewer's work", Role.REVIEWER, reverse("staff:home")),
        TourPage("staff queue", Role.REVIEWER, reverse("staff:queue")),
        TourPage("staff claim list", Role.REVIEWER, reverse("staff:application_list")),
        TourPage("case page", Role.REVIEWER, reverse("staff:application_detail", kwargs={"pk": awaiting.pk})),
        TourPage("inbox", Role.REVIEWER, reverse("staff:inbox")),
        TourPage("workflow chart", Role.REVIEWER, reverse("staff:flow_chart")),
        TourPage("task page", Role.REVIEWER, reverse("staff:task", kwargs={"task_pk": task.pk})),
        TourPage("finance officer's work", Role.FINANCE_OFFICER, reverse("staff:home")),
        TourPage("batch list", Role.FINANCE_OFFICER, reverse("staff:batch_list")),
        TourPage("batch new", Role.FINANCE_OFFICER, reverse("staff:batch_new")),
        TourPage("batch detail", Role.FINANCE_OFFICER, reverse("staff:batch_detail", kwargs={"pk": batch.pk})),
        TourPage("budget", Role.FINANCE_OFFICER, reverse("staff:budget")),
        TourPage("applicant changes", Role.FINANCE_OFFICER, reverse("staff:applicant_changes")),
        TourPage("applicant change", Role.FINANCE_OFFICER, reverse("staff:applicant_change", args=[change.pk])),
        TourPage("reports", Role.AUDITOR, reverse("staff:reports")),
        TourPage("administrator's work", Role.SCHEME_ADMIN, reverse("staff:home")),
        TourPage("letter problems", Role.SCHEME_ADMIN, reverse("staff:letter_problems")),
        TourPage("accounts", Role.SCHEME_ADMIN, reverse("staff:accounts")),
        TourPage("hand-over", Role.SCHEME_ADMIN, reverse("staff:hand_over", args=[reviewer.pk])),
        TourPage("2FA reset", Role.SCHEME_ADMIN, reverse("staff:two_factor_reset", args=[reviewer.pk])),
        TourPage("identity claims", Role.SCHEME_ADMIN, reverse("staff:identity_claims")),
        TourPage("identity claim", Role.SCHEME_ADMIN, reverse("staff:identity_claim", args=[identity_claim.pk])),
    ]
