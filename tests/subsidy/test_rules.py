"""Each eligibility rule, passing and failing, on plain facts (no database)."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from subsidy import rules
from subsidy.amounts import CostLine, compute_amount
from subsidy.models import Applicant, FundingRound, Patent, Scheme
from subsidy.models.schemes import HK_SCHEME_VALUES, HK_STANDARD_PATENT_SCHEME
from tests.identifiers import valid_cnipa, valid_resident_id, valid_uscc

TODAY = dt.date(2026, 11, 24)


def make_round(**kw):
    values = dict(
        name="R",
        code="r",
        budget=Decimal("1000000"),
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 12, 31),
        grant_date_from=dt.date(2025, 7, 1),
        grant_date_to=dt.date(2026, 12, 31),
        claim_deadline_months=12,
        per_patent_cap=Decimal("10000"),
        per_applicant_annual_cap=Decimal("500000"),
        reimbursement_rate=Decimal("0.5"),
        eligible_cost_types=["official_fee", "agency_fee", "translation_fee"],
        scheme=Scheme(code=HK_STANDARD_PATENT_SCHEME, **HK_SCHEME_VALUES),
    )
    values.update(kw)
    return FundingRound(**values)


def make_org(**kw):
    values = dict(
        kind="organisation",
        name="深圳市鹏城光电科技有限公司",
        name_en="Shenzhen Pengcheng Optoelectronics Co., Ltd.",
        uscc=valid_uscc("440300", "MA5F3K2Q8"),
        city="shenzhen",
        bank_account_name="x",
        bank_name="y",
        bank_account_number="4000023409200123456",
        cnaps_code="102584002345",
    )
    values.update(kw)
    return Applicant(**values)


def make_patent(**kw):
    values = dict(
        number="HK1234567",
        kind="standard",
        route="R",
        designated_office="CNIPA",
        designated_application_number=valid_cnipa(2023, "0000001"),
        grant_date=dt.date(2026, 10, 1),
    )
    values.update(kw)
    return Patent(**values)


def make_amount(costs=None, remaining="500000"):
    costs = costs if costs is not None else [CostLine("agency_fee", Decimal("8000"), "CNY", dt.date(2026, 9, 1))]
    return compute_amount(
        costs=costs,
        eligible_cost_types=["official_fee", "agency_fee", "translation_fee"],
        rate=Decimal("0.5"),
        per_patent_cap=Decimal("10000"),
        applicant_remaining_cap=Decimal(remaining),
    )


def make_facts(**kw):
    applicant = kw.pop("applicant", make_org())
    values = dict(
        today=TODAY,
        funding_round=make_round(),
        applicant=applicant,
        patent=make_patent(),
        proprietors=[applicant.name, "第二所有人"],
        document_types={"grant_certificate", "fee_receipt", "business_licence"},
        declarations_complete=True,
        patent_claimed_elsewhere=False,
        amount=make_amount(),
    )
    values.update(kw)
    return rules.ClaimFacts(**values)


def check(rule, **kw):
    return rule(make_facts(**kw))


def test_a_complete_claim_passes_every_rule():
    results = rules.evaluate(make_facts())
    assert [r.code for r in results if not r.passed] == []
    assert [r.code for r in results] == list(rules.RULE_SETS["hk_standard_patent"].codes)


def test_every_rule_has_a_title_and_every_rule_set_names_registered_rules():
    assert set(rules.RULES) == set(rules.RULE_TITLES)
    for rule_set in rules.RULE_SETS.values():
        assert set(rule_set.codes) <= set(rules.RULES)
        assert rule_set.not_on_resubmission <= set(rule_set.codes)


def test_a_rule_keeps_its_code_whatever_its_function_is_called():
    """Checklist rows and the audit history keep the code: a renamed function breaks nothing."""

    @rules.rule("test_renamed_rule", "A rule under test")
    def some_new_python_name(facts):
        return rules._result(some_new_python_name, True)

    try:
        assert some_new_python_name(make_facts()).code == "test_renamed_rule"
        assert rules.RULES["test_renamed_rule"] is some_new_python_name
        with pytest.raises(ImproperlyConfigured):
            rules.rule("test_renamed_rule", "Again")(lambda facts: None)
    finally:
        del rules.RULES["test_renamed_rule"], rules.RULE_TITLES["test_renamed_rule"]


@pytest.mark.parametrize(
    ("day", "passed"), [(dt.date(2026, 1, 1), True), (dt.date(2026, 12, 31), True), (dt.date(2027, 1, 1), False)]
)
def test_round_is_open(day, passed):
    assert check(rules.round_is_open, today=day, patent=make_patent()).passed is passed


def test_organisation_outside_guangdong_fails_with_reason():
    result = check(rules.applicant_in_guangdong, applicant=make_org(uscc=valid_uscc("110105", "MA5F3K2Q8")))
    assert not result.passed
    assert "44" in str(result.reason)


def test_individual_with_guangdong_id_passes():
    person = Applicant(
        kind="individual", name="黄喆", id_kind="resident_id", id_number=valid_resident_id("440604", "19860315", "123")
    )
    assert check(rules.applicant_in_guangdong, applicant=person, proprietors=["黄喆"]).passed


def test_individual_with_other_province_id_fails():
    person = Applicant(
        kind="individual", name="王五", id_kind="resident_id", id_number=valid_resident_id("110105", "19860315", "123")
    )
    assert not check(rules.applicant_in_guangdong, applicant=person).passed


def test_residence_permit_needs_the_permit_uploaded():
    person = Applicant(
        kind="individual",
        name="陈燊",
        id_kind="residence_permit",
        id_number=valid_resident_id("810000", "19900101", "001"),
    )
    assert not check(rules.applicant_in_guangdong, applicant=person, document_types={"grant_certificate"}).passed
    assert check(rules.applicant_in_guangdong, applicant=person, document_types={"identity"}).passed


def test_bank_account_required():
    assert not check(rules.bank_account_given, applicant=make_org(cnaps_code="")).passed


def test_short_term_patent_refused():
    result = check(rules.patent_is_standard, patent=make_patent(kind="short_term"))
    assert not result.passed


def test_route_o_needs_no_designation():
    assert check(
        rules.patent_is_standard, patent=make_patent(route="O", designated_office="", designated_application_number="")
    ).passed


@pytest.mark.parametrize("type_digit", ["2", "3", "9"])
def test_route_r_on_a_cnipa_utility_model_or_design_is_refused(type_digit):
    digits = f"2023{type_digit}0000001"
    from subsidy.identifiers import cnipa_check_char

    number = f"{digits}.{cnipa_check_char(digits)}"
    result = check(rules.patent_is_standard, patent=make_patent(designated_application_number=number))
    assert not result.passed
    assert result.reason


def test_route_r_on_an_old_format_invention_number_passes():
    from subsidy.identifiers import cnipa_check_char

    digits = "98112345"
    number = f"{digits}.{cnipa_check_char(digits)}"
    assert check(rules.patent_is_standard, patent=make_patent(designated_application_number=number)).passed


def test_route_r_on_an_old_format_utility_model_is_refused():
    from subsidy.identifiers import cnipa_check_char

    digits = "98212345"
    number = f"{digits}.{cnipa_check_char(digits)}"
    assert not check(rules.patent_is_standard, patent=make_patent(designated_application_number=number)).passed


def test_no_patent_yet():
    assert not check(rules.patent_is_standard, patent=None).passed


def test_first_proprietor_must_be_the_applicant():
    assert not check(rules.claimant_is_first_proprietor, proprietors=["别人公司", "深圳市鹏城光电科技有限公司"]).passed
    # English name, different case and punctuation, still the applicant.
    assert check(rules.claimant_is_first_proprietor, proprietors=["SHENZHEN PENGCHENG OPTOELECTRONICS CO LTD"]).passed
    assert not check(rules.claimant_is_first_proprietor, proprietors=[]).passed


@pytest.mark.parametrize(
    ("grant", "passed"), [(dt.date(2025, 7, 1), True), (dt.date(2025, 6, 30), False), (dt.date(2026, 11, 1), True)]
)
def test_grant_date_window(grant, passed):
    assert check(rules.grant_date_in_window, patent=make_patent(grant_date=grant)).passed is passed


def test_claim_deadline_after_grant_uses_the_rounds_months():
    patent = make_patent(grant_date=dt.date(2025, 11, 24))
    assert check(rules.claimed_within_deadline, patent=patent).passed  # exactly 12 months
    assert not check(rules.claimed_within_deadline, patent=patent, today=dt.date(2026, 11, 25)).passed
    assert not check(
        rules.claimed_within_deadline, patent=patent, funding_round=make_round(claim_deadline_months=6)
    ).passed


def test_patent_claimed_elsewhere_fails():
    assert not check(rules.patent_not_claimed_before, patent_claimed_elsewhere=True).passed


def test_costs_needed_and_rates_needed():
    assert not check(rules.costs_are_eligible, amount=make_amount(costs=[])).passed
    hkd = CostLine("official_fee", Decimal("100"), "HKD", dt.date(2026, 9, 1))
    result = check(rules.costs_are_eligible, amount=make_amount(costs=[hkd]))
    assert not result.passed
    assert "HKD" in str(result.reason)


def test_required_documents_depend_on_applicant_kind():
    result = check(rules.required_documents_uploaded, document_types={"grant_certificate", "fee_receipt"})
    assert not result.passed
    person = Applicant(
        kind="individual", name="黄喆", id_kind="resident_id", id_number=valid_resident_id("440604", "19860315", "123")
    )
    facts = make_facts(applicant=person, document_types={"grant_certificate", "fee_receipt", "identity"})
    assert rules.required_documents_uploaded(facts).passed


def test_declarations_required():
    assert not check(rules.declarations_made, declarations_complete=False).passed


def test_annual_cap_exhausted():
    result = check(rules.amount_within_caps, amount=make_amount(remaining="0"))
    assert not result.passed
    assert "500000" in str(result.reason)


def test_rules_read_numbers_from_the_round():
    facts = make_facts(funding_round=make_round(grant_date_from=dt.date(2026, 10, 2)))
    assert not rules.grant_date_in_window(facts).passed
    assert rules.grant_date_in_window(dataclasses.replace(facts, funding_round=make_round())).passed
