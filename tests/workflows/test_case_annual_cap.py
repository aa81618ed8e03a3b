"""The applicant's remaining annual cap on the case page: this claim counts once it is
approved, and only then (never twice)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidy import selectors
from subsidy.models import ApplicationStatus, Role
from subsidy.services import reviews
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    awaiting_decision,
    cleared_approver,
    staff_member,
    update_claim,
)

pytestmark = pytest.mark.django_db

CAP = Decimal("10000.00")


def granted_earlier(application, amount):
    """Another claim of the same applicant, approved earlier this year."""
    other = ApplicationFactory(
        funding_round=application.funding_round,
        applicant=application.applicant,
        created_by=application.created_by,
        complete=False,
    )
    now = timezone.now()
    update_claim(
        other,
        status=ApplicationStatus.APPROVED,
        reference=f"GDHK-T-{other.pk:07d}",
        submitted_at=now,
        recommendation="approve",
        recommended_amount=amount,
        approved_amount=amount,
        decided_at=now,
    )
    return other


def case_page(client, application):
    client.force_login(staff_member(Role.AUDITOR))
    return client.get(reverse("staff:application_detail", kwargs={"pk": application.pk}))


def test_the_remaining_cap_counts_this_claim_after_its_approval_and_not_before(client):
    application, _reviewer = awaiting_decision(funding_round=FundingRoundFactory(per_applicant_annual_cap=CAP))
    granted_earlier(application, Decimal("3000.00"))

    before = case_page(client, application)
    assert before.context["amount"].amount == Decimal("4000.00")
    assert before.context["amount"].applicant_remaining_cap == Decimal("7000.00")
    assert before.context["cap_left_after_claim"] is None
    page = before.content.decode()
    assert 'Remaining annual cap of the applicant</th><td class="num">7,000.00' in page
    assert "after this claim" not in page

    reviews.application_approve(application=application, by=cleared_approver(application))

    after = case_page(client, application)
    # The claim's own amount is still computed from what was left for it ...
    assert after.context["amount"].amount == Decimal("4000.00")
    assert after.context["amount"].applicant_remaining_cap == Decimal("7000.00")
    # ... and what remains for the applicant now counts it, once: 10,000 - 3,000 - 4,000.
    assert after.context["cap_left_after_claim"] == Decimal("3000.00")
    page = after.content.decode()
    assert 'Annual cap of the applicant left for this claim</th><td class="num">7,000.00' in page
    assert 'Remaining annual cap of the applicant after this claim</th><td class="num">3,000.00' in page


def test_a_claim_approved_in_an_earlier_year_does_not_count_against_this_years_cap():
    application, _reviewer = awaiting_decision()
    reviews.application_approve(application=application, by=cleared_approver(application))
    application.refresh_from_db()
    breakdown = selectors.application_amount(application)
    assert selectors.applicant_cap_left_after(application, breakdown) == (
        breakdown.applicant_remaining_cap - application.approved_amount
    )
    next_year = timezone.localtime(application.decided_at).date().replace(month=1, day=1) + dt.timedelta(days=366)
    assert selectors.applicant_cap_left_after(application, breakdown, next_year) is None


def test_the_remaining_cap_after_the_claim_never_goes_below_zero():
    application, _reviewer = awaiting_decision(funding_round=FundingRoundFactory(per_applicant_annual_cap=CAP))
    reviews.application_approve(application=application, by=cleared_approver(application))
    application.refresh_from_db()
    granted_earlier(application, Decimal("9000.00"))  # granted after the approval, over the cap together
    breakdown = selectors.application_amount(application)
    assert breakdown.applicant_remaining_cap == Decimal("1000.00")
    assert selectors.applicant_cap_left_after(application, breakdown) == Decimal("0.00")


def test_the_applicant_reads_the_same_remaining_cap_on_their_claim(client):
    application, _reviewer = awaiting_decision(funding_round=FundingRoundFactory(per_applicant_annual_cap=CAP))
    reviews.application_approve(application=application, by=cleared_approver(application))
    client.force_login(application.created_by)
    page = client.get(reverse("portal:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert 'Remaining annual cap of the applicant after this claim</th><td class="num">6,000.00' in page
