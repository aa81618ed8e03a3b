"""The policy ceiling across schemes (CNIPA 国知发保字(2021)1号): all public support for
one patent family stays within the deciding scheme's share of its official fees."""

import threading
from decimal import Decimal
from functools import partial

import pytest

from subsidy.exceptions import DomainError
from subsidy.models import Application, ApplicationStatus, CostType, Role
from subsidy.selectors import application_amount, family_ceiling
from subsidy.services import applications as services
from subsidy.services import reviews
from subsidy.services.reviews import CeilingExceeded
from tests.double_clicks import at_once, settled
from tests.factories import (
    AbroadPatentFactory,
    ApplicationFactory,
    CostItemFactory,
    FundingRoundFactory,
    HKPatentFactory,
    abroad_round,
    checklist_confirmed,
    cleared,
    payable_application,
    staff_member,
    top_up_scheme,
    update_claim,
)

pytestmark = pytest.mark.django_db

HALF = Decimal("0.50")


def top_up_round():
    return FundingRoundFactory(scheme=top_up_scheme(ceiling_share=HALF), reimbursement_rate=HALF)


def with_official_fees(application, amount):
    CostItemFactory(application=application, cost_type=CostType.OFFICIAL_FEE, amount=Decimal(amount))
    return application


def awaiting_with_fees(funding_round, patent, fees):
    """A claim listing `fees` of official fees, submitted, reviewed and recommended for
    approval at its computed amount."""
    application = with_official_fees(ApplicationFactory(funding_round=funding_round, patent=patent), fees)
    submitted = services.application_submit(application=application, by=application.created_by)
    reviewer = cleared(submitted, staff_member(Role.REVIEWER))
    reviews.application_start_review(application=submitted, by=reviewer)
    checklist_confirmed(submitted, reviewer)
    return reviews.application_recommend(application=submitted, by=reviewer, recommendation="approve")


def again(patent):
    """The same HK patent as another claim declares it (each claim keeps its own record)."""
    return HKPatentFactory(number=patent.number, designated_application_number=patent.designated_application_number)


def province_paid(patent, amount="2000.00", fees="6000.00"):
    """The province's HK scheme already granted `amount` for `patent`."""
    granted = payable_application(patent=again(patent), amount=Decimal(amount))
    return with_official_fees(granted, fees)


def test_a_scheme_without_a_ceiling_asks_nothing_about_the_family(django_assert_num_queries):
    application = ApplicationFactory()
    with django_assert_num_queries(0):
        assert family_ceiling(application) is None


def test_a_top_up_of_a_patent_the_province_funded_is_cut_to_what_the_ceiling_leaves():
    patent = HKPatentFactory()
    province_paid(patent, amount="2000.00", fees="6000.00")
    # The same patent, its kind code typed, its designated application left out by mistake.
    same_patent = HKPatentFactory(number=patent.number + " B", designated_application_number="202310999999.4")
    top_up = with_official_fees(ApplicationFactory(funding_round=top_up_round(), patent=same_patent), "6000.00")

    ceiling = family_ceiling(top_up)
    # The fees of one patent count once, though both claims list them.
    assert (ceiling.official_fees, ceiling.limit, ceiling.recorded_support, ceiling.left) == (
        Decimal("6000.00"),
        Decimal("3000.00"),
        Decimal("2000.00"),
        Decimal("1000.00"),
    )
    breakdown = application_amount(top_up)
    assert breakdown.method_amount == Decimal("7000.00")  # half of 8,000 agency and 6,000 official fees
    assert breakdown.capped_by_ceiling
    assert breakdown.amount == Decimal("1000.00")


def test_support_declared_from_outside_counts_and_one_grant_declared_twice_counts_once():
    patent = HKPatentFactory()
    province = province_paid(patent, amount="1000.00", fees="6000.00")
    update_claim(province, other_public_support=Decimal("500.00"))
    top_up = with_official_fees(ApplicationFactory(funding_round=top_up_round(), patent=patent), "6000.00")
    top_up.other_public_support = Decimal("500.00")
    assert family_ceiling(top_up).left == Decimal("1500.00")  # 3,000 - 1,000 granted - 500 declared


@pytest.mark.parametrize("ended", [ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED])
def test_a_claim_that_ended_without_support_releases_its_share(ended):
    patent = HKPatentFactory()
    province = province_paid(patent, amount="2000.00")
    top_up = with_official_fees(ApplicationFactory(funding_round=top_up_round(), patent=patent), "6000.00")
    update_claim(province, status=ended)
    assert family_ceiling(top_up).recorded_support == Decimal("0.00")


def test_a_patent_granted_abroad_with_the_same_priority_is_the_same_family():
    """A US patent claiming the Chinese application that an HK route R patent
    re-registers: the province's HK subsidy counts against the abroad-granted scheme."""
    hk = HKPatentFactory()
    province_paid(hk, amount="1500.00", fees="4000.00")
    us = AbroadPatentFactory(priority_office="CN", priority_number=hk.designated_application_number)
    assert us.family_id == hk.family_id
    claim = with_official_fees(ApplicationFactory(funding_round=abroad_round(), patent=us), "8000.00")
    ceiling = family_ceiling(claim)
    assert ceiling.official_fees == Decimal("12000.00")  # both patents' fees
    assert ceiling.left == Decimal("4500.00")  # 6,000 - 1,500
    breakdown = application_amount(claim)
    assert breakdown.is_fixed and breakdown.office_amount == Decimal("4500.00")
    assert breakdown.amount == Decimal("4500.00") and not breakdown.capped_by_ceiling


def test_only_official_fees_count_towards_the_ceiling_never_agency_or_translation_fees():
    # Annual (renewal) fees cannot even be entered: no cost type names them.
    us = AbroadPatentFactory()
    claim = ApplicationFactory(funding_round=abroad_round(), patent=us)  # its factory cost is an agency fee
    CostItemFactory(application=claim, cost_type=CostType.TRANSLATION_FEE, amount=Decimal("9000.00"))
    assert family_ceiling(claim).official_fees == Decimal("0.00")
    assert application_amount(claim).amount == Decimal("0.00")


def test_approval_refuses_an_amount_the_ceiling_no_longer_leaves():
    patent = HKPatentFactory()
    top_up = awaiting_with_fees(top_up_round(), patent, "6000.00")
    recommended = top_up.recommended_amount
    assert recommended == Decimal("3000.00")  # the ceiling: half of 6,000
    # Meanwhile the province approves the same patent for more than the ceiling leaves now.
    province_paid(patent, amount="2500.00", fees="6000.00")
    approver = cleared(top_up, staff_member(Role.APPROVER))
    with pytest.raises(CeilingExceeded) as refused:
        reviews.application_approve(application=top_up, by=approver)
    assert "500.00" in str(refused.value.message)  # 3,000 - 2,500 left
    assert str(recommended) in str(refused.value.message)
    assert Application.objects.get(pk=top_up.pk).status == ApplicationStatus.AWAITING_DECISION


@pytest.mark.django_db(transaction=True)
def test_two_schemes_approving_one_family_at_once_stay_within_the_ceiling(monkeypatch):
    """On PostgreSQL: a city top-up and the abroad-granted scheme approve claims on one
    family at the same moment; the family's row lock makes the second see the first."""
    hk = HKPatentFactory()
    us = AbroadPatentFactory(priority_office="CN", priority_number=hk.designated_application_number)
    # Family fees 6,000: the ceiling is 3,000.
    top_up = awaiting_with_fees(top_up_round(), hk, "3000.00")
    abroad = awaiting_with_fees(abroad_round(), us, "3000.00")
    Application.objects.filter(pk=top_up.pk).update(recommended_amount=Decimal("2000.00"))
    Application.objects.filter(pk=abroad.pk).update(recommended_amount=Decimal("2000.00"))
    approvers = [cleared(claim, staff_member(Role.APPROVER)) for claim in (top_up, abroad)]

    # Both read the family's support before either writes, unless the lock holds them.
    barrier = threading.Barrier(2, timeout=5)
    real_lock = reviews.check_family_ceiling

    def wait_then_check(app, amount):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other one is waiting on the row lock: as it should
        real_lock(app, amount)

    monkeypatch.setattr(reviews, "check_family_ceiling", wait_then_check)
    calls = [
        partial(reviews.application_approve, application=claim, by=approver)
        for claim, approver in zip((top_up, abroad), approvers, strict=True)
    ]
    outcomes = settled(at_once(*calls), (DomainError,))

    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and isinstance(refused[0], CeilingExceeded)
    assert "1000.00" in str(refused[0].message)  # what the winner left
    granted = Application.objects.filter(pk__in=[top_up.pk, abroad.pk], status=ApplicationStatus.APPROVED)
    assert sum(a.approved_amount for a in granted) == Decimal("2000.00") <= Decimal("3000.00")
