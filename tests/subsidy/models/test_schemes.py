"""Schemes as data (DESIGN.md §10): the first scheme comes from its migration; a second
scheme made of existing pieces numbers its own claims, funds a patent once for itself
whatever other schemes did, counts its own annual cap, and ends on its sunset date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from subsidy.exceptions import NotEligible
from subsidy.models import FundingRound, PatentClaim, Scheme
from subsidy.models.schemes import HK_SCHEME_VALUES, HK_STANDARD_PATENT_SCHEME, hk_standard_patent_scheme
from subsidy.selectors import applicant_committed_amount
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    FundingRoundFactory,
    HKPatentFactory,
    UserFactory,
    payable_application,
    submitted_application,
    today,
)

pytestmark = pytest.mark.django_db


def city_top_up(**values: object) -> Scheme:
    """A Shenzhen top-up of HK standard patents, made of data only."""
    fields = {
        **HK_SCHEME_VALUES,
        "code": "sz-hk-top-up",
        "name": "深圳市香港标准专利资助",
        "name_en": "Shenzhen top-up for Hong Kong standard patents",
        "reference_prefix": "SZHK",
        "ceiling_share": Decimal("0.5000"),
        **values,
    }
    scheme = Scheme(**fields)
    scheme.full_clean()
    scheme.save()
    return scheme


def test_the_first_scheme_is_the_hk_standard_patent_subsidy():
    scheme = Scheme.objects.get(code=HK_STANDARD_PATENT_SCHEME)
    assert (scheme.reference_prefix, scheme.rule_set, scheme.amount_method) == (
        "GDHK",
        "hk_standard_patent",
        "cost_share",
    )
    assert scheme.offices == ["HK"] and scheme.ceiling_share is None and scheme.sunset_on is None
    assert hk_standard_patent_scheme() == scheme
    assert FundingRoundFactory().scheme == scheme


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rule_set", "no_such_rules"),
        ("amount_method", "no_such_method"),
        ("offices", ["XX"]),
        ("offices", []),
        ("offices", ["US"]),  # the HK rule set checks HK patents only
        ("required_documents", ["a_poem"]),
        ("reference_prefix", "gd-1"),
        ("ceiling_share", Decimal("1.5")),
    ],
)
def test_a_scheme_whose_pieces_do_not_fit_is_refused_on_the_field(field, value):
    with pytest.raises(ValidationError) as refused:
        city_top_up(**{field: value})
    assert field in refused.value.message_dict


def test_no_round_of_a_scheme_is_open_after_its_end():
    scheme = city_top_up(sunset_on=today() + dt.timedelta(days=100))
    late = FundingRoundFactory.build(scheme=scheme, closes_on=today() + dt.timedelta(days=101))
    with pytest.raises(ValidationError) as refused:
        late.full_clean()
    assert "closes_on" in refused.value.message_dict
    FundingRoundFactory(scheme=scheme, closes_on=today() + dt.timedelta(days=100)).full_clean()
    scheme.sunset_on = today() + dt.timedelta(days=50)
    with pytest.raises(ValidationError) as refused:
        scheme.full_clean()  # its round is open until day 100
    assert "sunset_on" in refused.value.message_dict


def test_each_scheme_numbers_its_own_claims():
    # No ceiling: the factory's claims list no official fees (tests/subsidy/services/test_family_ceiling.py).
    top_up_round = FundingRoundFactory(scheme=city_top_up(ceiling_share=None))
    province = submitted_application()
    city = submitted_application(funding_round=top_up_round)
    again = submitted_application(funding_round=top_up_round)
    year = today().year
    assert province.reference.startswith(f"GDHK-{year}-")
    assert (city.reference, again.reference) == (f"SZHK-{year}-000001", f"SZHK-{year}-000002")


def test_a_patent_is_funded_once_per_scheme_and_by_each_scheme():
    top_up_round = FundingRoundFactory(scheme=city_top_up(ceiling_share=None))
    owner = UserFactory()
    applicant = ApplicantFactory(owner=owner)
    same_patent = {"number": "HK1234567"}
    submitted_application(created_by=owner, applicant=applicant, patent=HKPatentFactory(**same_patent))
    submitted_application(
        created_by=owner, applicant=applicant, patent=HKPatentFactory(**same_patent), funding_round=top_up_round
    )
    with pytest.raises(NotEligible) as refused:
        submitted_application(
            created_by=owner, applicant=applicant, patent=HKPatentFactory(**same_patent), funding_round=top_up_round
        )
    assert [failure.code for failure in refused.value.failures] == ["patent_not_claimed_before"]
    # Behind the rule, the database: one live claim per patent and scheme.
    with pytest.raises(IntegrityError), transaction.atomic():
        PatentClaim.objects.create(scheme=top_up_round.scheme, patent_key="HK1234567", application=ApplicationFactory())


def test_the_annual_cap_counts_per_scheme_and_calendar_year():
    province_claim = payable_application()
    top_up = city_top_up()
    applicant = province_claim.applicant
    year = today().year
    granted = province_claim.approved_amount
    assert granted and granted > 0
    province = province_claim.funding_round.scheme_id
    assert applicant_committed_amount(applicant, year, scheme_id=province) == granted
    assert applicant_committed_amount(applicant, year, scheme_id=top_up.pk) == Decimal("0.00")
    assert applicant_committed_amount(applicant, year - 1, scheme_id=province) == Decimal("0.00")


def test_rounds_know_their_scheme_in_the_readers_language():
    funding_round = FundingRoundFactory(scheme=city_top_up())
    assert FundingRound.objects.select_related("scheme").get(pk=funding_round.pk).scheme.name_en.startswith("Shenzhen")
