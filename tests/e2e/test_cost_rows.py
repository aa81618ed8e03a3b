"""The costs step in Chromium: "add another cost" adds an empty row without saving
first (static/js/cost_rows.js), focus lands in it, and every row is saved at once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import expect

from subsidy.models import CostItem
from tests.e2e.axe import assert_accessible
from tests.factories import ApplicationFactory, today

PASSWORD = "correct-horse-battery"  # UserFactory's


def test_add_another_cost_adds_a_row_without_a_save_round_trip(new_context):
    application = ApplicationFactory()  # one saved cost; the page adds one empty row
    page = new_context().new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", application.created_by.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/applications/$"))

    page.goto(reverse("portal:claim_costs", kwargs={"pk": application.pk}))
    rows = page.locator("#cost-items fieldset.cost-item")
    expect(rows).to_have_count(2)
    expect(page.locator("#add-cost-item-without-script")).to_be_hidden()
    add = page.locator("#add-cost-item")
    expect(add).to_be_visible()
    url_before = page.url

    add.click()
    expect(rows).to_have_count(3)
    assert page.url == url_before  # no round-trip
    expect(page.locator("#id_costs-TOTAL_FORMS")).to_have_value("3")
    expect(page.locator("#id_costs-2-cost_type")).to_be_focused()
    expect(rows.nth(2).locator("legend")).to_have_text(re.compile(r"\b3\b"))
    assert_accessible(page)

    paid_on = (today() - dt.timedelta(days=10)).isoformat()
    for index, amount in ((1, "300.00"), (2, "450.50")):
        page.select_option(f"#id_costs-{index}-cost_type", "official_fee")
        page.fill(f"#id_costs-{index}-amount", amount)
        page.select_option(f"#id_costs-{index}-currency", "CNY")
        page.fill(f"#id_costs-{index}-paid_on", paid_on)
        page.fill(f"#id_costs-{index}-receipt_number", f"FEE-{index}")
    page.click("button[name=save_draft]")
    expect(page.locator(".messages")).to_be_visible()
    amounts = sorted(CostItem.objects.filter(application=application).values_list("amount", flat=True))
    assert amounts == [Decimal("300.00"), Decimal("450.50"), Decimal("8000.00")]
