import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy.amounts import (
    AMOUNT_METHODS,
    AmountTerms,
    CostLine,
    compute_amount,
    cost_share,
    fixed_by_office,
    office_amount_from_json,
    official_fees,
    to_cents,
)

D = Decimal
DAY = dt.date(2026, 5, 1)
ALL_TYPES = ["official_fee", "agency_fee", "translation_fee"]


def amount(costs, *, types=ALL_TYPES, rate="0.5", patent_cap="10000", remaining="500000"):
    return compute_amount(
        costs=costs,
        eligible_cost_types=types,
        rate=D(rate),
        per_patent_cap=D(patent_cap),
        applicant_remaining_cap=D(remaining),
    )


def cny(value, kind="agency_fee"):
    return CostLine(cost_type=kind, amount=D(value), currency="CNY", paid_on=DAY)


def test_half_of_eligible_costs():
    result = amount([cny("8000.00"), cny("1000.00", "official_fee")])
    assert result.eligible_total == D("9000.00")
    assert result.amount == D("4500.00")


def test_per_patent_cap_limits_the_amount():
    result = amount([cny("30000.00")])
    assert result.reimbursable == D("15000.00")
    assert result.amount == D("10000.00")
    assert result.capped_by_patent


def test_remaining_annual_cap_limits_the_amount():
    result = amount([cny("8000.00")], remaining="1234.56")
    assert result.amount == D("1234.56")
    assert result.capped_by_applicant


def test_exhausted_annual_cap_gives_zero_never_negative():
    assert amount([cny("8000.00")], remaining="-50.00").amount == D("0.00")


def test_ineligible_types_do_not_count():
    result = amount([cny("8000.00", "translation_fee"), cny("100.00", "official_fee")], types=["official_fee"])
    assert result.eligible_total == D("100.00")
    assert [line.eligible for line in result.lines] == [False, True]


def test_hkd_converted_per_line_and_rounded_half_up():
    line = CostLine(cost_type="official_fee", amount=D("100.01"), currency="HKD", paid_on=DAY, rate_to_cny=D("0.915"))
    # 100.01 * 0.915 = 91.50915 → 91.51
    result = amount([line])
    assert result.lines[0].amount_cny == D("91.51")
    assert result.amount == D("45.76")  # 45.755 rounds half up


def test_hkd_without_rate_is_reported_not_guessed():
    line = CostLine(cost_type="official_fee", amount=D("100"), currency="HKD", paid_on=DAY)
    result = amount([line, cny("10.00")])
    assert result.missing_rates == [line]
    assert result.eligible_total == D("10.00")


def test_to_cents_half_up():
    assert to_cents(D("0.005")) == D("0.01")
    assert to_cents(D("2.675")) == D("2.68")


money = st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(money, max_size=8),
    st.decimals(min_value=0, max_value=1, places=4),
    money,
    st.decimals(min_value=D("-1000"), max_value=D("1000000"), places=2),
)
def test_amount_is_never_negative_and_never_above_any_cap(values, rate, patent_cap, remaining):
    result = amount([cny(str(v)) for v in values], rate=str(rate), patent_cap=str(patent_cap), remaining=str(remaining))
    assert D("0") <= result.amount <= patent_cap
    assert result.amount <= max(remaining, D("0"))
    assert result.amount <= result.eligible_total
    assert result.amount == result.amount.quantize(D("0.01"))


# --- Amount methods by name (DESIGN.md §10) ---------------------------------------------

FIXED = {"US": D("4500.00"), "EP": D("17000.00")}


def terms(costs=(), *, office="US", ceiling_left=None, remaining="500000", **values):
    return AmountTerms(
        costs=list(costs),
        eligible_cost_types=values.pop("types", ALL_TYPES),
        rate=D(values.pop("rate", "0.5")),
        per_patent_cap=D(values.pop("patent_cap", "10000")),
        applicant_remaining_cap=D(remaining),
        office=office,
        amounts_by_office=values.pop("amounts", FIXED),
        ceiling_left=None if ceiling_left is None else D(ceiling_left),
    )


def test_methods_are_chosen_by_name():
    assert AMOUNT_METHODS == {"cost_share": cost_share, "fixed_by_office": fixed_by_office}


def test_cost_share_without_a_ceiling_is_todays_amount():
    costs = [cny("30000.00"), cny("1000.00", "official_fee")]
    by_name = AMOUNT_METHODS["cost_share"](terms(costs, office="HK", remaining="8000"))
    assert by_name == amount(costs, remaining="8000")
    assert (by_name.method, by_name.ceiling_left, by_name.capped_by_ceiling) == ("cost_share", None, False)


def test_fixed_by_office_pays_the_rounds_amount_for_the_office_whatever_the_costs():
    costs = [cny("30000.00"), cny("800.00", "official_fee")]
    result = fixed_by_office(terms(costs, office="EP"))
    assert (result.method, result.office, result.office_amount, result.amount) == (
        "fixed_by_office",
        "EP",
        D("17000.00"),
        D("17000.00"),
    )
    assert len(result.lines) == 2  # on record, not multiplied
    assert not result.capped_by_patent  # the round's cap per patent is cost_share's


def test_fixed_by_office_without_an_amount_for_the_office_pays_nothing_and_says_why():
    result = fixed_by_office(terms([cny("8000.00")], office="JP"))
    assert result.amount == D("0.00")
    assert result.no_office_amount and result.office_amount is None
    assert not fixed_by_office(terms(office="US")).no_office_amount


def test_the_ceiling_cuts_either_method_to_what_it_leaves():
    costs = [cny("8000.00")]
    shared = cost_share(terms(costs, ceiling_left="1200.004"))
    fixed = fixed_by_office(terms(costs, ceiling_left="1200.00"))
    for result in (shared, fixed):
        assert result.amount == D("1200.00")
        assert result.ceiling_left == D("1200.00")
        assert result.capped_by_ceiling and not result.capped_by_applicant
    assert shared.method_amount == D("4000.00") and fixed.method_amount == D("4500.00")


def test_a_ceiling_already_reached_leaves_nothing_never_less():
    result = fixed_by_office(terms(ceiling_left="-300.00"))
    assert (result.ceiling_left, result.amount) == (D("0.00"), D("0.00"))


def test_the_annual_cap_bounds_what_the_ceiling_leaves():
    result = fixed_by_office(terms(ceiling_left="3000.00", remaining="2000.00"))
    assert result.amount == D("2000.00")
    assert result.capped_by_ceiling and result.capped_by_applicant
    roomy = fixed_by_office(terms(ceiling_left="9000.00", remaining="2000.00"))
    assert not roomy.capped_by_ceiling and roomy.capped_by_applicant


def test_only_official_fees_count_towards_the_ceiling():
    hkd = CostLine(cost_type="official_fee", amount=D("100.01"), currency="HKD", paid_on=DAY, rate_to_cny=D("0.915"))
    no_rate = CostLine(cost_type="official_fee", amount=D("500"), currency="HKD", paid_on=DAY)
    costs = [cny("1000.00", "official_fee"), cny("8000.00", "agency_fee"), cny("300.00", "annual_fee"), hkd, no_rate]
    assert official_fees(costs) == D("1091.51")
    assert official_fees([]) == D("0.00")


@pytest.mark.parametrize(
    ("stored", "parsed"),
    [("4500.00", D("4500.00")), ("4500", D("4500.00")), (17000, D("17000.00")), ("0.5", D("0.50"))],
)
def test_office_amounts_are_read_from_the_rounds_json(stored, parsed):
    assert office_amount_from_json(stored) == parsed


@pytest.mark.parametrize("stored", ["0", "-1", "4500.001", "abc", "NaN", "Infinity", True, 4500.5, None, ["1"]])
def test_office_amounts_that_are_not_positive_cents_are_no_amount(stored):
    assert office_amount_from_json(stored) is None


two_places = st.decimals(min_value=D("0.00"), max_value=D("99999999.99"), places=2)
cost_lines = st.lists(
    st.builds(
        CostLine,
        cost_type=st.sampled_from(["official_fee", "agency_fee", "translation_fee", "annual_fee"]),
        amount=two_places,
        currency=st.sampled_from(["CNY", "HKD"]),
        paid_on=st.just(DAY),
        rate_to_cny=st.none() | st.decimals(min_value=D("0.5"), max_value=D("1.5"), places=6),
    ),
    max_size=6,
)
random_terms = st.builds(
    AmountTerms,
    costs=cost_lines,
    eligible_cost_types=st.lists(st.sampled_from(ALL_TYPES), unique=True),
    rate=st.decimals(min_value=0, max_value=1, places=4),
    per_patent_cap=two_places,
    applicant_remaining_cap=st.decimals(min_value=D("-1000"), max_value=D("1000000"), places=2),
    office=st.sampled_from(["HK", "US", "EP", "JP"]),
    amounts_by_office=st.dictionaries(st.sampled_from(["HK", "US", "EP"]), two_places),
    ceiling_left=st.none() | st.decimals(min_value=D("-1000"), max_value=D("100000"), places=2),
)


def assert_bounded(result, t):
    assert result.amount >= 0
    assert result.amount == result.amount.quantize(D("0.01"))
    assert result.amount <= max(t.applicant_remaining_cap, D("0"))
    if t.ceiling_left is not None:
        assert result.amount <= max(t.ceiling_left, D("0"))


@settings(max_examples=200, deadline=None)
@given(random_terms)
def test_cost_share_stays_within_the_cap_per_patent_the_ceiling_and_the_annual_cap(t):
    result = cost_share(t)
    assert_bounded(result, t)
    assert result.amount <= t.per_patent_cap
    assert result.amount <= result.eligible_total


@settings(max_examples=200, deadline=None)
@given(random_terms)
def test_fixed_by_office_stays_within_the_office_amount_the_ceiling_and_the_annual_cap(t):
    result = fixed_by_office(t)
    assert_bounded(result, t)
    assert result.amount <= t.amounts_by_office.get(t.office, D("0"))
    assert result.no_office_amount == (t.amounts_by_office.get(t.office, D("0")) <= 0)
