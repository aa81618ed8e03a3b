"""The API tokens page in Chromium: under the Content-Security-Policy, accessible (axe),
and the new key shown once."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import expect

from subsidy.models import ApiToken
from subsidy.models.tokens import api_token_hash
from tests.e2e.axe import assert_accessible
from tests.e2e.csp import watch
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"  # UserFactory's


def test_making_and_revoking_a_token_in_the_browser(new_context):
    user = UserFactory()
    context = new_context()
    policy = watch(context)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    page.wait_for_load_state()
    page.locator(f"nav a[href='{reverse('api_tokens')}']").click()  # in the menu
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    page.fill("#id_name", "nightly export")
    page.fill("#id_days", "30")
    page.locator("#main form[action$='/accounts/tokens/'] button[type=submit]").click()
    key = page.locator("#new-token-key").inner_text()
    assert ApiToken.objects.get(user=user).key_hash == api_token_hash(key)
    assert_accessible(page)
    page.locator("form[action$='/revoke/'] button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("nightly export")
    expect(page.locator("#new-token-key")).to_have_count(0)
    assert_accessible(page)
    policy.assert_clean(page)
