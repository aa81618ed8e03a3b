"""Staff limited to some schemes (subsidy.models.StaffScope; DESIGN.md §10): the rule in
subsidy.permissions, the transitions and task assignment that ask it, the staff
querysets that filter by it, and the database triggers that hold it on their own
(subsidy migration 0020). The pages and the API are in the authorisation matrices."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django_fsm import has_transition_perm

from subsidy import selectors
from subsidy.exceptions import NotPermitted
from subsidy.models import Application, Batch, Role, StaffScope
from subsidy.models.batches import may_handle_bank_files, may_release
from subsidy.models.schemes import hk_standard_patent_scheme
from subsidy.permissions import schemes_served_by, user_serves_application, user_serves_scheme
from subsidy.services import batches, reviews
from tests.factories import (
    FundingRoundFactory,
    awaiting_decision,
    cleared,
    finance_staff,
    payable_application,
    staff_member,
    staff_of_scheme,
    submitted_application,
    today,
    top_up_scheme,
    update_claim,
)
from workflows import selectors as flow_selectors
from workflows.flows import may_take_decision, may_take_review

pytestmark = pytest.mark.django_db


def top_up_claim(**kwargs):
    return submitted_application(funding_round=FundingRoundFactory(scheme=top_up_scheme()), **kwargs)


# --- the rule ------------------------------------------------------------------------------


def test_an_account_without_a_scope_works_on_every_scheme(django_assert_num_queries):
    reviewer = staff_member(Role.REVIEWER)
    province, city = hk_standard_patent_scheme(), top_up_scheme()
    assert schemes_served_by(reviewer) is None
    with django_assert_num_queries(0):  # read once per user object
        assert user_serves_scheme(reviewer, province.pk)
        assert user_serves_scheme(reviewer, city.pk)


def test_an_account_with_a_scope_works_on_those_schemes_only(django_assert_num_queries):
    province, top_up = hk_standard_patent_scheme(), top_up_scheme()
    reviewer = staff_of_scheme(top_up, Role.REVIEWER)
    assert schemes_served_by(reviewer) == {top_up.pk}
    with django_assert_num_queries(0):
        assert user_serves_scheme(reviewer, top_up.pk)
        assert not user_serves_scheme(reviewer, province.pk)
    assert not user_serves_application(reviewer, submitted_application())
    assert user_serves_application(reviewer, top_up_claim())


def test_anonymous_visitors_and_applicants_are_not_limited_by_schemes():
    from django.contrib.auth.models import AnonymousUser

    assert schemes_served_by(AnonymousUser()) is None
    assert schemes_served_by(None) is None


# --- transitions and task assignment -----------------------------------------------------------


def test_a_reviewer_of_another_scheme_may_not_review_or_take_the_case():
    application = submitted_application()
    elsewhere = cleared(application, staff_of_scheme(top_up_scheme(), Role.REVIEWER))
    assert not has_transition_perm(application.start_review, elsewhere)
    assert not may_take_review(elsewhere, application)
    with pytest.raises(NotPermitted):
        reviews.application_start_review(application=application, by=elsewhere)
    # The same account reviews its own scheme's claims.
    theirs = top_up_claim()
    cleared(theirs, elsewhere)
    assert has_transition_perm(theirs.start_review, elsewhere)
    assert may_take_review(elsewhere, theirs)


def test_an_approver_of_another_scheme_may_not_decide_or_take_the_decision():
    application, _reviewer = awaiting_decision()
    elsewhere = cleared(application, staff_of_scheme(top_up_scheme(), Role.APPROVER))
    assert not has_transition_perm(application.approve, elsewhere)
    assert not has_transition_perm(application.reject, elsewhere)
    assert not may_take_decision(elsewhere, application)
    with pytest.raises(NotPermitted):
        reviews.application_reject(application=application, by=elsewhere, reason="Not ours.")
    assert Application.objects.get(pk=application.pk).status == "awaiting_decision"


def test_the_same_approver_limited_to_the_claims_scheme_may_decide():
    application, _reviewer = awaiting_decision()
    approver = cleared(application, staff_of_scheme(hk_standard_patent_scheme(), Role.APPROVER))
    assert has_transition_perm(application.approve, approver)
    assert may_take_decision(approver, application)


def test_a_conflict_declaration_on_another_schemes_case_is_refused():
    application = submitted_application()
    with pytest.raises(NotPermitted):
        reviews.conflict_declare(
            application=application, by=staff_of_scheme(top_up_scheme(), Role.REVIEWER), has_conflict=False
        )


def test_a_case_goes_to_no_reviewer_of_another_scheme():
    from tests.factories import in_review

    application, _reviewer = in_review()
    admin = staff_member(Role.SCHEME_ADMIN)
    elsewhere = staff_of_scheme(top_up_scheme(), Role.REVIEWER)
    with pytest.raises(ValidationError):
        reviews.application_reassign_reviewer(application=application, to=elsewhere, by=admin, reason="Leave.")
    task = flow_selectors.open_task(application)
    assert elsewhere not in flow_selectors.reassign_candidates(task)
    # Nor may an administrator of another scheme move it.
    other_admin = staff_of_scheme(top_up_scheme(), Role.SCHEME_ADMIN)
    with pytest.raises(NotPermitted):
        reviews.application_reassign_reviewer(
            application=application, to=staff_member(Role.REVIEWER), by=other_admin, reason="Leave."
        )


# --- what staff see ---------------------------------------------------------------------------


def test_queue_and_claim_list_show_the_schemes_one_works_on():
    here, theirs = submitted_application(), top_up_claim()
    elsewhere = staff_of_scheme(top_up_scheme(), Role.REVIEWER)
    roles = {Role.REVIEWER.value}
    assert {e.application_id for e in flow_selectors.queue_entries(elsewhere, roles)} == {theirs.pk}
    assert set(selectors.staff_application_list(served_by=elsewhere)) == {theirs}
    everyone = staff_member(Role.REVIEWER)
    assert {e.application_id for e in flow_selectors.queue_entries(everyone, roles)} == {here.pk, theirs.pk}
    assert set(selectors.staff_application_list(served_by=everyone)) == {here, theirs}
    with pytest.raises(Application.DoesNotExist):
        selectors.staff_application_detail(here.pk, served_by=elsewhere)


def test_finance_staff_of_another_scheme_neither_batch_nor_release_its_claims():
    payable_application()
    officer = staff_of_scheme(top_up_scheme(), Role.FINANCE_OFFICER, Role.FINANCE_APPROVER)
    assert not selectors.batch_candidates(today=today(), served_by=officer).exists()
    with pytest.raises(ValidationError):
        batches.batch_create(by=officer)
    batch = batches.batch_submit(batch=batches.batch_create(by=finance_staff(Role.FINANCE_OFFICER)), by=None)
    assert not may_release(batch, officer)
    assert not may_handle_bank_files(batch, officer)
    assert not selectors.batch_list(served_by=officer).exists()
    assert not selectors.round_budgets(served_by=officer)


# --- the database holds the rule on its own (PostgreSQL) ------------------------------------------


@contextmanager
def refused_by_the_database():
    with pytest.raises(DatabaseError, match="does not work on"), transaction.atomic():
        yield


def test_the_database_refuses_a_reviewer_or_approver_of_another_scheme():
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's")
    application = submitted_application()
    elsewhere = staff_of_scheme(top_up_scheme(), Role.REVIEWER, Role.APPROVER)
    with refused_by_the_database():
        Application.objects.filter(pk=application.pk).update(reviewer=elsewhere)
    with refused_by_the_database():
        Application.objects.filter(pk=application.pk).update(approver=elsewhere)
    # Their own scheme's claims take them; a scope narrowed afterwards leaves past work alone.
    theirs = top_up_claim()
    update_claim(theirs, reviewer=elsewhere)
    StaffScope.objects.filter(user=elsewhere).update(scheme=hk_standard_patent_scheme())
    update_claim(theirs, status="under_review", reviewer=elsewhere)


def test_the_database_refuses_a_batch_checker_of_another_scheme():
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's")
    payable_application()
    batch = batches.batch_create(by=finance_staff(Role.FINANCE_OFFICER))
    elsewhere = staff_of_scheme(top_up_scheme(), Role.FINANCE_APPROVER)
    with pytest.raises(DatabaseError, match="does not work on"), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(released_by=elsewhere)
