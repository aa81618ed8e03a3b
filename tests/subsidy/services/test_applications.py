import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from subsidy.exceptions import InvalidState, NotEligible, NotPermitted, PatentAlreadyClaimed
from subsidy.models import Application, ApplicationStatus, AuditEntry, PatentClaim
from subsidy.models.audit import AppendOnlyError
from subsidy.services import applications as services
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CostItemFactory,
    FundingRoundFactory,
    HKPatentFactory,
    UserFactory,
    hkd_rate,
    submitted_application,
    today,
)

pytestmark = pytest.mark.django_db


def test_submit_assigns_reference_fixes_amount_claims_patent_and_audits(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=application.created_by, ip="10.0.0.1")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert re.fullmatch(rf"GDHK-{today().year}-\d{{6}}", application.reference)
    assert application.requested_amount == Decimal("4000.00")
    assert PatentClaim.objects.get(application=application).patent_key == application.patent.key
    (entry,) = AuditEntry.objects.for_object(application)
    assert (entry.transition, entry.from_state, entry.to_state) == ("submit", "draft", "submitted")
    assert entry.actor == application.created_by
    assert entry.ip_address == "10.0.0.1"
    assert "reference" in entry.changes
    assert len(mail.outbox) == 1
    assert application.reference in mail.outbox[0].subject


def test_references_are_sequential_and_unique():
    refs = [submitted_application().reference for _ in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == sorted(numbers)
    assert len(set(refs)) == 3


def test_submit_with_failing_rules_lists_reasons_and_changes_nothing():
    application = ApplicationFactory(declare_consent_to_checks=False)
    with pytest.raises(NotEligible) as caught:
        services.application_submit(application=application, by=application.created_by)
    assert [f.code for f in caught.value.failures] == ["declarations_made"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.reference is None
    assert not PatentClaim.objects.exists()
    assert not AuditEntry.objects.exists()


def test_hkd_cost_without_rate_blocks_submission_and_with_rate_converts():
    application = ApplicationFactory()
    item = CostItemFactory(application=application, currency="HKD", amount=Decimal("1000.00"), cost_type="official_fee")
    with pytest.raises(NotEligible):
        services.application_submit(application=application, by=application.created_by)
    hkd_rate(item.paid_on, "0.9")
    services.application_submit(application=application, by=application.created_by)
    application.refresh_from_db()
    assert application.requested_amount == Decimal("4450.00")  # (8000 + 900) / 2


def test_second_claim_for_the_same_patent_is_refused():
    first = submitted_application()
    second = ApplicationFactory(patent=HKPatentFactory(number=first.patent.number + " B"))
    with pytest.raises(NotEligible) as caught:
        services.application_submit(application=second, by=second.created_by)
    assert "patent_not_claimed_before" in [f.code for f in caught.value.failures]


def test_database_refuses_a_second_live_claim_even_past_the_checks(monkeypatch):
    first = submitted_application()
    second = ApplicationFactory(patent=HKPatentFactory(number=first.patent.number))
    # Simulate the race the rule cannot see: the check says free, the constraint decides.
    monkeypatch.setattr("subsidy.selectors.eligibility.patent_claimed_elsewhere", lambda *a, **k: False)
    with pytest.raises(PatentAlreadyClaimed):
        services.application_submit(application=second, by=second.created_by)
    second.refresh_from_db()
    assert second.status == ApplicationStatus.DRAFT
    assert second.reference is None


def test_withdrawn_claim_releases_the_patent():
    first = submitted_application()
    services.application_withdraw(application=first, by=first.created_by, comment="mistake")
    second = ApplicationFactory(patent=HKPatentFactory(number=first.patent.number))
    services.application_submit(application=second, by=second.created_by)
    assert PatentClaim.objects.filter(patent_key=first.patent.key, released_at__isnull=True).get().application == second


def test_patent_step_warns_early_about_a_claimed_patent():
    first = submitted_application()
    draft = ApplicationFactory(patent=None, complete=False)
    with pytest.raises(ValidationError) as caught:
        services.application_set_patent(
            application=draft,
            by=draft.created_by,
            fields={"number": first.patent.number, "route": "O", "title_zh": "x", "grant_date": today()},
            proprietors=[draft.applicant.name],
        )
    assert "number" in caught.value.error_dict


def test_another_user_may_not_submit_or_withdraw():
    application = ApplicationFactory()
    stranger = UserFactory()
    with pytest.raises(NotPermitted):
        services.application_submit(application=application, by=stranger)
    with pytest.raises(NotPermitted):
        services.application_withdraw(application=application, by=stranger)


def test_authorised_agent_may_submit_for_its_applicant():
    agent = UserFactory()
    application = ApplicationFactory()
    application.applicant.access.create(user=agent, role="agent")
    services.application_submit(application=application, by=agent)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


def test_submitted_claim_can_no_longer_be_edited():
    application = submitted_application()
    with pytest.raises(InvalidState):
        services.application_set_declarations(
            application=application,
            by=application.created_by,
            true_and_complete=False,
            no_double_funding=False,
            consent_to_checks=False,
        )


def test_draft_needs_an_open_round():
    closed = FundingRoundFactory(
        opens_on=today().replace(year=today().year - 2), closes_on=today().replace(year=today().year - 1)
    )
    user = UserFactory()
    with pytest.raises(InvalidState):
        services.application_create_draft(applicant=ApplicantFactory(owner=user), funding_round=closed, by=user)


def test_costs_are_replaced_all_or_nothing():
    application = ApplicationFactory()
    good = {
        "cost_type": "official_fee",
        "amount": Decimal("10.00"),
        "currency": "CNY",
        "paid_on": today(),
        "receipt_number": "A",
    }
    bad = {**good, "amount": Decimal("-1.00")}
    with pytest.raises(ValidationError):
        services.application_set_costs(application=application, by=application.created_by, items=[good, bad])
    assert list(application.cost_items.values_list("amount", flat=True)) == [Decimal("8000.00")]


def test_audit_rows_cannot_be_changed_or_deleted():
    application = submitted_application()
    entry = AuditEntry.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    # Not even around the ORM: PostgreSQL's trigger refuses it.
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE subsidy_auditentry SET comment = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.for_object(application).count() == 1


def test_a_claim_holds_at_most_the_cost_item_limit(settings):
    from django.core.exceptions import ValidationError

    from subsidy.services.applications import application_set_costs
    from tests.factories import ApplicationFactory, CostItemFactory

    settings.MAX_COST_ITEMS_PER_CLAIM = 3
    draft = ApplicationFactory(complete=False)
    item = CostItemFactory.build()
    fields = {name: getattr(item, name) for name in ("cost_type", "amount", "currency", "paid_on", "receipt_number")}
    application_set_costs(application=draft, by=draft.created_by, items=[fields] * 3)
    with pytest.raises(ValidationError) as caught:
        application_set_costs(application=draft, by=draft.created_by, items=[fields] * 4)
    assert caught.value.code == "too_many_cost_items"
    assert draft.cost_items.count() == 3
