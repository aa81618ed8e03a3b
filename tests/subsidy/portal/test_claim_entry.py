"""Filing a claim: the patent step says which grant dates and deadline the round
accepts (and plainly when a deadline has passed), the costs step shows each foreign
line in CNY and adds rows without a save, and the step bar marks a refused step."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import cast

import pytest
from django.urls import reverse

from subsidy.models import Application, CostItem, Currency
from tests.factories import ApplicationFactory, CostItemFactory, FundingRoundFactory, hkd_rate, today

pytestmark = pytest.mark.django_db


def url(name, application):
    return reverse(name, kwargs={"pk": application.pk})


def english(day: dt.date) -> str:
    return f"{day.day} {day:%b} {day.year}"


def text(response) -> str:
    """The page's words without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def step_state(response, slug):
    return next(state for state in response.context["steps"] if state.step.slug == slug)


def claim_granted(days_ago: int, *, months: int = 12):
    funding_round = FundingRoundFactory(
        grant_date_from=dt.date(2024, 1, 8),
        grant_date_to=today(),
        claim_deadline_months=months,
    )
    application = cast(Application, ApplicationFactory(funding_round=funding_round))
    patent = application.patent
    assert patent is not None
    patent.grant_date = today() - dt.timedelta(days=days_ago)
    patent.save()
    return application


# The patent step --------------------------------------------------------------


def test_the_patent_step_shows_the_rounds_grant_window_and_claim_deadline(client):
    application = claim_granted(30, months=24)
    client.force_login(application.created_by)
    page = text(client.get(url("portal:claim_patent", application)))
    closes = application.funding_round.closes_on
    assert f"Patents granted in Hong Kong from 8 Jan 2024 to {english(today())}." in page
    assert (
        f"A claim must be submitted within 24 months of the HK grant date, and by {english(closes)}, "
        "when the round closes." in page
    )
    grant = today() - dt.timedelta(days=30)
    deadline = dt.date(grant.year + 2, grant.month, grant.day) if (grant.month, grant.day) != (2, 29) else None
    if deadline is not None:
        assert f"This patent was granted on {english(grant)}, so its deadline is {english(deadline)}." in page
    assert "cannot be claimed" not in page


def test_a_passed_deadline_is_said_plainly_on_the_patent_step_and_the_checklist(client):
    application = claim_granted(400, months=12)
    client.force_login(application.created_by)
    response = client.get(url("portal:claim_patent", application))
    assert "The deadline has passed: this patent cannot be claimed." in text(response)
    assert step_state(response, "patent").blocked
    bar = re.search(r'<nav class="steps".*?</nav>', response.content.decode(), re.S).group(0)
    patent_item = re.search(r'<li class="current[^"]*">.*?</li>', bar, re.S).group(0)
    assert "cannot be claimed" in patent_item and "to do" not in patent_item
    review = client.get(url("portal:claim_review", application))
    [row] = [
        row
        for row in re.findall(r"<tr class=\"fail\">.*?</tr>", review.content.decode(), re.S)
        if "Claimed within the deadline after grant" in row
    ]
    assert "cannot be claimed" in row
    assert "not yet" not in row
    assert "It has passed: this patent cannot be claimed." in row


def test_a_rule_that_can_still_be_met_still_says_not_yet(client):
    application = ApplicationFactory(declare_consent_to_checks=False)
    client.force_login(application.created_by)
    review = client.get(url("portal:claim_review", application)).content.decode()
    [row] = re.findall(r"<tr class=\"fail\">.*?</tr>", review, re.S)
    assert "not yet" in row and "cannot be claimed" not in row


# The costs step ---------------------------------------------------------------


def test_each_hkd_line_shows_its_cny_value_at_the_stored_rate(client):
    application = ApplicationFactory()
    paid_on = today() - dt.timedelta(days=20)
    hkd_rate(paid_on, "0.912345")
    CostItemFactory(application=application, currency=Currency.HKD, amount=Decimal("1000.00"), paid_on=paid_on)
    CostItemFactory(
        application=application, currency=Currency.HKD, amount=Decimal("50.00"), paid_on=dt.date(2000, 1, 3)
    )
    client.force_login(application.created_by)
    page = text(client.get(url("portal:claim_costs", application)))
    # 1000 times 0.912345 = 912.345, rounded half up as the amount rounds it.
    assert "HKD 1,000.00 \u00d7 0.912345 (the stored rate for the payment date) = CNY 912.35" in page
    assert page.count("No exchange rate is stored for this payment date yet") == 1
    assert page.count("(the stored rate for the payment date)") == 1  # not for the CNY line


def test_the_costs_step_offers_an_empty_row_to_add_without_a_save(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    page = client.get(url("portal:claim_costs", application)).content.decode()
    template = re.search(r'<template id="cost-item-template">(.*?)</template>', page, re.S)
    assert template is not None
    assert 'name="costs-__prefix__-amount"' in template.group(1)
    assert "__number__" in template.group(1)
    assert re.search(r'<button type="button" id="add-cost-item" hidden>', page)
    assert re.search(r'<script src="[^"]*js/cost_rows\.js" defer></script>', page)


def test_without_script_two_new_rows_are_still_saved_in_one_post(client):
    application = ApplicationFactory(complete=False, patent=None)
    client.force_login(application.created_by)
    rows = {}
    for index, amount in enumerate(["100.00", "200.00"]):
        rows |= {
            f"costs-{index}-cost_type": "agency_fee",
            f"costs-{index}-amount": amount,
            f"costs-{index}-currency": "CNY",
            f"costs-{index}-paid_on": (today() - dt.timedelta(days=5)).isoformat(),
            f"costs-{index}-receipt_number": f"R{index}",
        }
    management = {"costs-TOTAL_FORMS": "2", "costs-INITIAL_FORMS": "0", "costs-MAX_NUM_FORMS": "1000"}
    response = client.post(url("portal:claim_costs", application), {**management, **rows, "save_draft": ""})
    assert response.status_code == 302
    assert sorted(CostItem.objects.values_list("amount", flat=True)) == [Decimal("100.00"), Decimal("200.00")]


# The step bar -----------------------------------------------------------------


def test_a_step_whose_form_was_refused_is_not_complete_in_the_step_bar(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    shown = client.get(url("portal:claim_patent", application))
    assert step_state(shown, "patent").complete
    saved_number = application.patent.number
    data = {
        "number": "XX12",
        "kind": "standard",
        "route": "O",
        "title_zh": "装置",
        "grant_date": application.patent.grant_date.isoformat(),
        "proprietors": application.applicant.name,
    }
    refused = client.post(url("portal:claim_patent", application), data)
    assert refused.status_code == 200
    state = step_state(refused, "patent")
    assert state.has_errors and not state.complete
    bar = re.search(r'<nav class="steps".*?</nav>', refused.content.decode(), re.S).group(0)
    patent_item = re.search(r'<li class="[^"]*has-errors">.*?</li>', bar, re.S).group(0)
    assert 'aria-current="step"' in patent_item
    assert "to correct" in patent_item and "done" not in patent_item
    application.patent.refresh_from_db()
    assert application.patent.number == saved_number
    # The other steps keep their state.
    assert step_state(refused, "costs").complete and not step_state(refused, "costs").has_errors


def test_refused_costs_mark_the_costs_step_as_to_correct(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    item = application.cost_items.get()
    data = {
        "costs-TOTAL_FORMS": "1",
        "costs-INITIAL_FORMS": "1",
        "costs-MAX_NUM_FORMS": "1000",
        "costs-0-id": str(item.pk),
        "costs-0-cost_type": item.cost_type,
        "costs-0-amount": "-1",
        "costs-0-currency": "CNY",
        "costs-0-paid_on": item.paid_on.isoformat(),
        "costs-0-receipt_number": item.receipt_number,
    }
    response = client.post(url("portal:claim_costs", application), data)
    assert response.status_code == 200
    state = step_state(response, "costs")
    assert state.has_errors and not state.complete
    item.refresh_from_db()
    assert item.amount == Decimal("8000.00")
