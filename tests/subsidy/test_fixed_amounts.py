"""A scheme that pays a fixed amount per patent office (DESIGN.md §10): the round's table
is checked when saved, the claim's amount comes from it, and the breakdown and the
approval letter say so line by line, with the ceiling when it cuts the amount."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation

from subsidy.amounts import AmountTerms, CostLine, cost_share, fixed_by_office
from subsidy.letters.content import LetterContent
from subsidy.letters.render import render_letter
from subsidy.letters.samples import sample_letter
from subsidy.models import Scheme
from subsidy.models.schemes import HK_SCHEME_VALUES
from subsidy.selectors import application_amount
from tests.factories import ApplicationFactory, FundingRoundFactory, today

D = Decimal


def fixed_scheme(**values: object) -> Scheme:
    """The HK scheme's rules, paying a fixed amount per HK patent instead of a cost share."""
    fields = {
        **HK_SCHEME_VALUES,
        "code": "hk-fixed",
        "name": "香港标准专利定额资助",
        "name_en": "Fixed subsidy for Hong Kong standard patents",
        "reference_prefix": "HKFX",
        "amount_method": "fixed_by_office",
        **values,
    }
    scheme = Scheme(**fields)
    scheme.full_clean()
    scheme.save()
    return scheme


@pytest.mark.django_db
@pytest.mark.parametrize(
    "table",
    [
        {},
        {"HK": "0"},
        {"HK": "-5"},
        {"HK": "4500.005"},
        {"HK": "lots"},
        {"HK": "4500.00", "US": "4500.00"},  # the scheme does not fund US patents
        ["HK", "4500"],
    ],
)
def test_a_fixed_amount_round_needs_a_positive_amount_for_each_of_its_offices_and_no_other(table):
    funding_round = FundingRoundFactory.build(scheme=fixed_scheme(), amounts_by_office=table)
    with pytest.raises(ValidationError) as refused:
        funding_round.full_clean()
    assert list(refused.value.message_dict) == ["amounts_by_office"]


@pytest.mark.django_db
def test_a_complete_table_is_accepted_and_a_cost_share_round_ignores_it():
    FundingRoundFactory.build(scheme=fixed_scheme(), amounts_by_office={"HK": "4500.00"}).full_clean()
    FundingRoundFactory.build(amounts_by_office={"HK": 3000}).full_clean()
    FundingRoundFactory.build(amounts_by_office={"US": "oops"}).full_clean()  # cost_share: not read


@pytest.mark.django_db
def test_the_claim_amount_comes_from_its_schemes_method():
    fixed_round = FundingRoundFactory(scheme=fixed_scheme(), amounts_by_office={"HK": "4500.00"})
    fixed = application_amount(ApplicationFactory(funding_round=fixed_round))
    assert (fixed.method, fixed.office, fixed.amount) == ("fixed_by_office", "HK", D("4500.00"))
    assert fixed.eligible_total == D("8000.00")  # the factory's agency fee, on record
    shared = application_amount(ApplicationFactory())
    assert (shared.method, shared.amount, shared.ceiling_left) == ("cost_share", D("4000.00"), None)


@pytest.mark.django_db
def test_a_round_without_an_amount_for_the_office_pays_nothing_and_the_checklist_says_why():
    from subsidy import rules
    from subsidy.selectors import claim_facts

    # Saved without clean(): an administrator's table that lost its HK row.
    bare_round = FundingRoundFactory(scheme=fixed_scheme(), amounts_by_office={})
    facts = claim_facts(ApplicationFactory(funding_round=bare_round), today())
    assert facts.amount.amount == D("0.00") and facts.amount.no_office_amount
    with translation.override("en"):
        result = rules.amount_within_caps(facts)
        assert not result.passed
        assert "no fixed amount for a patent of Hong Kong" in str(result.reason)
        spent = replace(
            facts, amount=fixed_by_office(terms(office="HK", amounts_by_office={"HK": D("9")}, ceiling_left=D(0)))
        )
        assert "reached the ceiling" in str(rules.amount_within_caps(spent).reason)


def cny(value: str, kind: str = "agency_fee") -> CostLine:
    return CostLine(cost_type=kind, amount=D(value), currency="CNY", paid_on=today(), label=kind)


def breakdown_text(breakdown) -> str:
    with translation.override("en"):
        html = render_to_string("includes/amount_breakdown.html", {"amount": breakdown})
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def terms(**values) -> AmountTerms:
    return AmountTerms(
        costs=[cny("8000.00"), cny("1000.00", "official_fee")],
        eligible_cost_types=["agency_fee", "official_fee"],
        rate=D("0.5"),
        per_patent_cap=D("10000"),
        applicant_remaining_cap=D("500000"),
        **values,
    )


def test_the_breakdown_shows_a_fixed_amount_for_the_patents_office():
    text = breakdown_text(fixed_by_office(terms(office="US", amounts_by_office={"US": D("4500")})))
    assert "Fixed amount for a patent of United States 4,500.00" in text
    assert "Reimbursed at" not in text and "Cap per patent" not in text and "ceiling" not in text
    missing = breakdown_text(fixed_by_office(terms(office="JP", amounts_by_office={"US": D("4500")})))
    assert "No fixed amount for a patent of Japan in this round 0.00" in missing


def test_the_breakdown_shows_the_ceiling_that_cut_the_amount():
    text = breakdown_text(cost_share(terms(ceiling_left=D("300.00"))))
    assert "Left for this patent under the ceiling on all public support 300.00" in text
    assert "Amount (CNY) 300.00" in text


def test_the_hk_schemes_breakdown_reads_as_before():
    text = breakdown_text(cost_share(terms(office="HK")))
    assert "Eligible costs 9,000.00 Reimbursed at 50 % 4,500.00 Cap per patent 10,000.00" in text
    assert "Fixed" not in text and "ceiling" not in text


def test_a_letter_snapshot_keeps_the_method_and_the_ceiling():
    content = replace(
        sample_letter(2),
        amount_method="fixed_by_office",
        office_zh="香港",
        office_en="Hong Kong",
        calculated_amount=D("4500.00"),
        ceiling_limit=D("1200.00"),
        amount=D("1200.00"),
    )
    again = LetterContent.from_json(content.to_json())
    assert again == content and again.before_review == D("1200.00")
    old_snapshot = content.to_dict()
    for name in ("amount_method", "office_zh", "office_en", "ceiling_limit"):
        del old_snapshot[name]
    assert LetterContent.from_dict(old_snapshot).amount_method == "cost_share"


def test_an_approval_letter_for_a_fixed_amount_cut_by_the_ceiling_says_both():
    content = replace(
        sample_letter(2),
        amount_method="fixed_by_office",
        office_zh="香港",
        office_en="Hong Kong",
        calculated_amount=D("4500.00"),
        annual_cap_limit=None,
        ceiling_limit=D("1200.00"),
        amount=D("1200.00"),
    )
    layer = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=render_letter(content), capture_output=True, check=True
    )
    text = re.sub(r"\s+", "", layer.stdout.decode())
    assert "香港专利定额资助·FixedamountforapatentofHongKong" in text
    assert "同一专利各级财政资助合计上限余额" in text
    assert "资助比例" not in text and "Eligiblecosts" not in text and "Adjustedonreview" not in text
