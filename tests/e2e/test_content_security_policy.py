"""The Content-Security-Policy holds on the site's pages as Chromium shows them: no page
needs an inline script, an event-handler attribute or anything from another site. The
applicant's profile form (its fields follow the chosen kind of applicant, in a static
script) still works under the policy, and so do Swagger UI, Redoc, the admin and the
workflow chart."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from subsidy.models import Role
from subsidy.services.auth import otp_devices_reset
from tests.e2e.axe import assert_accessible
from tests.e2e.csp import watch
from tests.factories import ApplicationFactory, UserFactory, staff_member

PASSWORD = "correct-horse-battery"  # UserFactory's


def sign_in(page: Page, user: Any) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    page.wait_for_load_state()


PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password_reset/", "/notice/"]
API_PAGES = ["/api/docs/", "/api/redoc/"]


def test_public_pages_and_the_api_documentation_keep_to_the_policy(new_context):
    context = new_context()
    policy = watch(context)
    page = context.new_page()
    for path in PUBLIC_PAGES:
        response = page.goto(path)
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        policy.assert_clean(page)
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API")  # drawn by Swagger UI's script
    policy.assert_clean(page)
    page.goto("/api/redoc/")
    expect(page.locator("redoc .api-info h1, #redoc-container h1, redoc h1").first).to_contain_text("API")
    policy.assert_clean(page)


def test_applicant_pages_keep_to_the_policy_and_their_script_runs(new_context):
    application = ApplicationFactory()
    context = new_context()
    policy = watch(context)
    page = context.new_page()
    sign_in(page, application.created_by)
    for path in [
        reverse("portal:application_list"),
        reverse("portal:applicant_list"),
        reverse("portal:application_detail", kwargs={"pk": application.pk}),
        reverse("portal:claim_patent", kwargs={"pk": application.pk}),
        reverse("portal:claim_costs", kwargs={"pk": application.pk}),
    ]:
        page.goto(path)
        policy.assert_clean(page)
    page.goto(reverse("portal:applicant_create"))
    # static/js/applicant.js shows only the fields of the chosen kind of applicant.
    shown = page.locator("fieldset[data-kind]:not([hidden])")
    page.locator("input[name=kind][value=individual]").check()
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-kind", "individual")
    page.locator("input[name=kind][value=organisation]").check()
    expect(shown).to_have_attribute("data-kind", "organisation")
    policy.assert_clean(page)


def test_staff_pages_keep_to_the_policy(new_context):
    admin = UserFactory(is_staff=True, is_superuser=True, role=Role.SCHEME_ADMIN)
    context = new_context()
    policy = watch(context)
    page = context.new_page()
    sign_in(page, admin)
    for name in [
        "staff:application_list",
        "staff:inbox",
        "staff:queue",
        "staff:batch_list",
        "staff:budget",
        "staff:reports",
        "staff:letter_problems",
    ]:
        page.goto(reverse(name))
        policy.assert_clean(page)
    page.goto(reverse("staff:flow_chart"))
    chart = page.locator("figure.chart img")
    expect(chart).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", chart.element_handle()) > 0  # the SVG loaded
    policy.assert_clean(page)
    for path in ["/admin/", "/admin/subsidy/fundinground/", "/admin/subsidy/fundinground/add/"]:
        page.goto(path)
        policy.assert_clean(page)


@pytest.fixture
def two_factor_required(settings: Any) -> None:
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True


def test_two_step_sign_in_pages_keep_to_the_policy(new_context, two_factor_required):
    reviewer = staff_member(Role.REVIEWER)
    enrolment_code = otp_devices_reset(user=reviewer, by=None, reason="new colleague", ip=None).enrolment_code
    context = new_context()
    policy = watch(context)
    page = context.new_page()
    sign_in(page, reviewer)
    page.goto(reverse("staff:application_list"))
    expect(page).to_have_url(re.compile(re.escape(reverse("two_factor_setup"))))
    qr = page.locator("img.two-factor-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", qr.element_handle()) > 0  # the data: image is allowed
    policy.assert_clean(page)
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=reviewer)
    page.fill("#id_enrolment_code", enrolment_code)
    page.fill("#id_code", f"{totp(device.bin_key):06d}")
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("staff:application_list")) + "$"))
    policy.assert_clean(page)


def test_the_verify_and_lockout_pages_keep_to_the_policy(new_context, two_factor_required, settings):
    approver = staff_member(Role.APPROVER)
    TOTPDevice.objects.create(user=approver, name="phone", confirmed=True)
    context = new_context()
    policy = watch(context)
    page = context.new_page()
    sign_in(page, approver)
    expect(page).to_have_url(re.compile(re.escape(reverse("two_factor_verify"))))
    policy.assert_clean(page)
    assert_accessible(page)

    other = new_context()  # another browser, nobody signed in
    other_watch = watch(other)
    locked = other.new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked.goto("/accounts/login/")
        locked.fill("#id_username", approver.email)
        locked.fill("#id_password", "not-the-password")
        locked.locator("#main form button[type=submit]").click()
        locked.wait_for_load_state()
    expect(locked.locator("#main .notice")).to_be_visible()
    other_watch.assert_clean(locked)
    assert_accessible(locked)
