"""The patent step asks what the scheme's offices need: the route for an HK patent, the
office and the priority application for a patent granted abroad, which ties it to the
family of an HK patent re-registering the same Chinese application."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from subsidy.models import Application, CostType, PatentFamily, PatentKind
from subsidy.rules import evaluate
from subsidy.selectors import application_amount, claim_facts
from subsidy.services import applications as services
from tests.factories import (
    AbroadPatentFactory,
    ApplicationFactory,
    CostItemFactory,
    HKPatentFactory,
    abroad_round,
    today,
)

pytestmark = pytest.mark.django_db


def patent_url(application):
    return reverse("portal:claim_patent", kwargs={"pk": application.pk})


def abroad_draft(client):
    application = ApplicationFactory(funding_round=abroad_round(), complete=False, patent=None)
    client.force_login(application.created_by)
    return application


def abroad_post(**overrides):
    data = {
        "office": "EP",
        "number": "ep 3 456 789 b1",
        "priority_office": "CN",
        "priority_number": "",
        "title_zh": "一种转子结构",
        "title_en": "Rotor structure",
        "grant_date": (today() - dt.timedelta(days=20)).isoformat(),
        "proprietors": "",
    }
    data.update(overrides)
    return data


def test_an_hk_scheme_asks_for_the_route_and_not_for_an_office(client):
    application = ApplicationFactory(complete=False, patent=None)
    client.force_login(application.created_by)
    form = client.get(patent_url(application)).context["form"]
    assert {"route", "designated_office", "number"} <= set(form.fields)
    assert not {"office", "priority_office", "priority_number"} & set(form.fields)
    assert [value for value, _label in form.fields["kind"].choices] == ["standard", "short_term"]


def test_a_scheme_of_patents_granted_abroad_asks_for_the_office_and_the_priority(client):
    application = abroad_draft(client)
    response = client.get(patent_url(application))
    form = response.context["form"]
    assert not {"route", "designated_office", "kind"} & set(form.fields)
    assert [value for value, _label in form.fields["office"].choices] == ["US", "EP", "JP", "KR"]
    page = response.content.decode()
    assert "EP 3 456 789 B1" in page  # the examples of its offices
    assert "Step 2: the patent" in page or "第 2 步：专利" in page


def test_a_patent_granted_abroad_is_stored_as_its_office_prints_it_in_the_family_of_its_priority(client):
    hk = HKPatentFactory()
    application = abroad_draft(client)
    applicant = application.applicant
    response = client.post(
        patent_url(application),
        abroad_post(priority_number=hk.designated_application_number, proprietors=applicant.name),
    )
    assert response.status_code == 302, response.context["form"].errors
    patent = Application.objects.get(pk=application.pk).patent
    assert (patent.office, patent.number, patent.kind, patent.route) == ("EP", "EP 3 456 789 B1", "invention", "")
    assert patent.priority_number == f"CN {hk.designated_application_number}"
    assert patent.family_id == hk.family_id
    assert PatentFamily.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"office": "GB", "number": "GB 2512345 B"}, "office"),  # not an office of the scheme
        ({"number": "EP 3 456 788 B1X"}, "number"),
        ({"office": "US", "number": "EP 3 456 789 B1"}, "number"),
        ({"priority_number": "CN 202310123456.7"}, "priority_number"),  # wrong check digit
    ],
)
def test_a_wrong_office_or_number_is_a_field_error_and_nothing_is_stored(client, fields, field):
    application = abroad_draft(client)
    with translation.override("en"):
        response = client.post(patent_url(application), abroad_post(proprietors="x", **fields))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Application.objects.get(pk=application.pk).patent is None


def test_a_chinese_utility_model_is_not_an_invention_patent():
    from django.core.exceptions import ValidationError

    from subsidy.models import Patent

    patent = Patent(office="CN", number="ZL202320123456.1", title_zh="x", grant_date=today())
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        patent.full_clean()
    assert "utility model" in " ".join(refused.value.message_dict["number"])


def test_the_abroad_rule_set_checks_office_and_kind_in_its_own_words():
    claim = ApplicationFactory(funding_round=abroad_round(), patent=AbroadPatentFactory())
    CostItemFactory(application=claim, cost_type=CostType.OFFICIAL_FEE, amount=Decimal("10000.00"))
    with translation.override("en"):
        results = {result.code: result for result in evaluate(claim_facts(claim))}
        assert all(result.passed for result in results.values()), [r for r in results.values() if not r.passed]
        assert "HK" not in " ".join(str(result.title) for result in results.values())
        claim.patent.kind = PatentKind.STANDARD
        claim.patent.office = "GB"
        refused = {result.code: result for result in evaluate(claim_facts(claim))}["patent_is_granted_invention"]
        assert not refused.passed and "United States" in str(refused.reason)


def test_a_claim_under_the_abroad_scheme_gets_its_offices_fixed_amount_and_its_prefix():
    claim = ApplicationFactory(funding_round=abroad_round(), patent=AbroadPatentFactory())
    CostItemFactory(application=claim, cost_type=CostType.OFFICIAL_FEE, amount=Decimal("10000.00"))
    assert application_amount(claim).amount == Decimal("4500.00")  # US; half of 10,000 leaves 5,000
    submitted = services.application_submit(application=claim, by=claim.created_by)
    assert submitted.reference.startswith(f"GDABT-{today().year}-")
    assert submitted.requested_amount == Decimal("4500.00")


def test_one_patent_is_funded_once_per_scheme_whatever_its_office():
    first = ApplicationFactory(funding_round=abroad_round(), patent=AbroadPatentFactory(number="US 11,234,567 B2"))
    second_round = abroad_round()
    second = ApplicationFactory(funding_round=second_round, patent=AbroadPatentFactory(number="US11234567"))
    for claim in (first, second):
        CostItemFactory(application=claim, cost_type=CostType.OFFICIAL_FEE, amount=Decimal("10000.00"))
    services.application_submit(application=first, by=first.created_by)
    facts = claim_facts(second)
    assert facts.patent_claimed_elsewhere, facts.amount
    failing = [result.code for result in evaluate(facts) if not result.passed]
    assert failing == ["patent_not_funded_by_scheme"], application_amount(second)
