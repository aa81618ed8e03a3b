"""Races on a real PostgreSQL server: each thread has its own connection."""

import threading

import pytest
from django.db import connection

from subsidy.exceptions import DomainError, PatentAlreadyClaimed
from subsidy.models import Application, ApplicationStatus, PatentClaim
from subsidy.selectors import claim_facts
from subsidy.services import applications as services
from tests.factories import ApplicationFactory, HKPatentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(applications):
    outcomes = {}

    def submit(application):
        try:
            services.application_submit(application=application, by=application.created_by)
            outcomes[application.pk] = "submitted"
        except DomainError as error:
            outcomes[application.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_concurrent_claims_for_one_patent_exactly_one_succeeds(monkeypatch):
    first = ApplicationFactory(patent=HKPatentFactory(hk_number="HK1777777"))
    second = ApplicationFactory(patent=HKPatentFactory(hk_number="HK1777777 B"))
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
    assert PatentClaim.objects.filter(hk_key="HK1777777").count() == 1


def test_concurrent_submissions_get_distinct_consecutive_references():
    applications = [ApplicationFactory() for _ in range(6)]
    outcomes = run_concurrently(applications)
    assert set(outcomes.values()) == {"submitted"}
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in Application.objects.values_list("reference", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 6))
