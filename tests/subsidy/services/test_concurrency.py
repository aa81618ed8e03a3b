"""Races on a real PostgreSQL server: each thread has its own connection."""

import threading
from decimal import Decimal
from functools import partial

import pytest
from django.db.models import Sum

from subsidy.exceptions import DomainError, InvalidState, PatentAlreadyClaimed
from subsidy.models import Application, ApplicationStatus, AuditEntry, PatentClaim, Role
from subsidy.selectors import claim_facts
from subsidy.services import applications as services
from subsidy.services import reviews
from tests.double_clicks import at_once, settled
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    HKPatentFactory,
    awaiting_decision,
    cleared,
    staff_member,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(applications):
    """Every application submitted at once: pk -> "submitted" or the DomainError."""
    results = settled(
        at_once(*[partial(services.application_submit, application=a, by=a.created_by) for a in applications]),
        (DomainError,),
    )
    return {a.pk: r if isinstance(r, DomainError) else "submitted" for a, r in zip(applications, results, strict=True)}


def test_two_concurrent_claims_for_one_patent_exactly_one_succeeds(monkeypatch):
    first = ApplicationFactory(patent=HKPatentFactory(number="HK1777777"))
    second = ApplicationFactory(patent=HKPatentFactory(number="HK1777777 B"))
    # Both threads pass every check before either writes: only the database can decide.
    barrier = threading.Barrier(2, timeout=30)

    def facts_then_wait(application, today=None):
        facts = claim_facts(application, today)
        barrier.wait()
        return facts

    monkeypatch.setattr(services, "claim_facts", facts_then_wait)
    outcomes = run_concurrently([first, second])

    assert sorted(str(type(o).__name__) for o in outcomes.values()) == ["PatentAlreadyClaimed", "str"]
    loser = next(pk for pk, o in outcomes.items() if isinstance(o, PatentAlreadyClaimed))
    assert Application.objects.get(pk=loser).status == ApplicationStatus.DRAFT
    assert Application.objects.get(pk=loser).reference is None
    assert Application.objects.filter(status=ApplicationStatus.SUBMITTED).count() == 1
    assert PatentClaim.objects.filter(patent_key="HK1777777").count() == 1


def test_concurrent_submissions_get_distinct_consecutive_references():
    applications = [ApplicationFactory() for _ in range(6)]
    outcomes = run_concurrently(applications)
    assert set(outcomes.values()) == {"submitted"}
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in Application.objects.values_list("reference", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 6))


def run_all(calls):
    """Each zero-argument call at once: index -> "ok" or the DomainError."""
    results = settled(at_once(*calls), (DomainError,))
    return {i: r if isinstance(r, DomainError) else "ok" for i, r in enumerate(results)}


def test_twenty_approvers_at_once_never_overspend_a_budget_that_fits_twelve():
    funding_round = FundingRoundFactory(budget=Decimal("48000.00"))  # 12 * 4000
    cases = [awaiting_decision(funding_round=funding_round)[0] for _ in range(20)]
    approvers = [cleared(case, staff_member(Role.APPROVER)) for case in cases]
    outcomes = run_all(
        [
            (lambda case=case, approver=approver: reviews.application_approve(application=case, by=approver))
            for case, approver in zip(cases, approvers, strict=True)
        ]
    )
    refused = [o for o in outcomes.values() if o != "ok"]
    assert len(outcomes) == 20
    assert list(outcomes.values()).count("ok") == 12
    assert all(isinstance(o, reviews.BudgetExceeded) for o in refused)
    funding_round.refresh_from_db()
    approved_total = Application.objects.filter(status=ApplicationStatus.APPROVED).aggregate(t=Sum("approved_amount"))[
        "t"
    ]
    assert funding_round.reserved_amount == approved_total == Decimal("48000.00")


def test_ten_concurrent_decisions_on_one_case_exactly_one_wins():
    case, _ = awaiting_decision()
    approvers = [cleared(case, staff_member(Role.APPROVER)) for _ in range(10)]
    calls = [
        (lambda a=a: reviews.application_approve(application=case, by=a))
        if i % 2
        else (lambda a=a: reviews.application_reject(application=case, by=a, reason="not eligible"))
        for i, a in enumerate(approvers)
    ]
    outcomes = run_all(calls)
    assert list(outcomes.values()).count("ok") == 1
    assert all(isinstance(o, InvalidState) for o in outcomes.values() if o != "ok")
    case.refresh_from_db()
    decisions = AuditEntry.objects.for_object(case).filter(transition__in=["approve", "reject"])
    assert decisions.count() == 1
    assert case.status in {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED}
