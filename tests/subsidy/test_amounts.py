import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy.amounts import CostLine, compute_amount, to_cents

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
