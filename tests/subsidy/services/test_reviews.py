"""Review and decision transitions: each allowed and forbidden move, by role."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from subsidy.api.transitions import available_transitions
from subsidy.exceptions import InvalidState, NotEligible, NotPermitted
from subsidy.models import Application, ApplicationStatus, AuditEntry, FundingRound, Role
from subsidy.services import applications as applicant_side
from subsidy.services import reviews
from tests.factories import (
    FundingRoundFactory,
    awaiting_decision,
    checklist_confirmed,
    cleared,
    cleared_approver,
    in_review,
    staff_member,
    submitted_application,
    today,
    update_claim,
)

pytestmark = pytest.mark.django_db


# start_review -------------------------------------------------------------------


def test_reviewer_without_declaration_cannot_start():
    application = submitted_application()
    with pytest.raises(NotPermitted):
        reviews.application_start_review(application=application, by=staff_member(Role.REVIEWER))


def test_reviewer_with_declared_conflict_cannot_start_and_it_is_audited():
    application = submitted_application()
    reviewer = staff_member(Role.REVIEWER)
    reviews.conflict_declare(application=application, by=reviewer, has_conflict=True, note="former employer")
    with pytest.raises(NotPermitted):
        reviews.application_start_review(application=application, by=reviewer)
    assert AuditEntry.objects.for_object(application).filter(transition="conflict_declared").count() == 1


def test_conflict_declared_midway_removes_the_reviewer():
    application, reviewer = in_review()
    # A second declaration is refused; the reviewer's one stays.
    with pytest.raises(InvalidState):
        reviews.conflict_declare(application=application, by=reviewer, has_conflict=True)


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.APPROVER, Role.FINANCE_OFFICER, Role.AUDITOR])
def test_only_reviewers_start_review(role):
    application = submitted_application()
    with pytest.raises(NotPermitted):
        reviews.application_start_review(application=application, by=cleared(application, staff_member(role)))


def test_start_review_assigns_the_reviewer():
    application, reviewer = in_review()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.reviewer == reviewer


def test_another_reviewer_cannot_act_on_a_taken_case():
    application, _ = in_review()
    other = cleared(application, staff_member(Role.REVIEWER))
    with pytest.raises(NotPermitted):
        reviews.application_recommend(application=application, by=other, recommendation="approve")


# request_info / resubmit / lapse -----------------------------------------------


def test_request_info_then_applicant_resubmits_to_the_same_reviewer(django_capture_on_commit_callbacks):
    application, reviewer = in_review()
    with django_capture_on_commit_callbacks(execute=True):
        reviews.application_request_info(
            application=application, by=reviewer, message="Upload the P5 form.", deadline=today() + dt.timedelta(14)
        )
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.INFO_REQUESTED
    assert "P5" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        applicant_side.application_resubmit(application=application, by=application.created_by)
    assert mail.outbox[-1].to == [reviewer.email]
    assert application.reference in mail.outbox[-1].subject
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.reviewer == reviewer
    assert application.information_requests.get().answered_at is not None


def test_a_reviewer_who_has_left_is_not_emailed_the_answer(django_capture_on_commit_callbacks):
    application, reviewer = in_review()
    reviews.application_request_info(
        application=application, by=reviewer, message="Upload the P5 form.", deadline=today() + dt.timedelta(14)
    )
    reviewer.is_active = False
    reviewer.save()
    with django_capture_on_commit_callbacks(execute=True):
        applicant_side.application_resubmit(application=application, by=application.created_by)
    assert all(reviewer.email not in email.to for email in mail.outbox)


def test_request_info_needs_a_message_and_a_future_deadline():
    application, reviewer = in_review()
    with pytest.raises(ValidationError) as caught:
        reviews.application_request_info(application=application, by=reviewer, message=" ", deadline=today())
    assert set(caught.value.error_dict) == {"message", "deadline"}


def test_resubmission_still_checks_the_rules():
    application, reviewer = in_review()
    reviews.application_request_info(
        application=application, by=reviewer, message="x", deadline=today() + dt.timedelta(3)
    )
    applicant_side.application_set_declarations(
        application=application,
        by=application.created_by,
        true_and_complete=False,
        no_double_funding=True,
        consent_to_checks=True,
    )
    with pytest.raises(NotEligible):
        applicant_side.application_resubmit(application=application, by=application.created_by)


def test_lapse_runs_once_even_if_the_timer_fires_twice():
    application, reviewer = in_review()
    reviews.application_request_info(
        application=application, by=reviewer, message="x", deadline=today() + dt.timedelta(3)
    )
    assert reviews.applications_lapse_overdue(today=today() + dt.timedelta(3)) == 0  # deadline day itself is allowed
    assert reviews.applications_lapse_overdue(today=today() + dt.timedelta(4)) == 1
    assert reviews.applications_lapse_overdue(today=today() + dt.timedelta(4)) == 0
    application.refresh_from_db()
    assert application.status == ApplicationStatus.LAPSED
    assert AuditEntry.objects.for_object(application).filter(transition="lapse").count() == 1


@pytest.mark.parametrize(("language", "words"), [("en", "No answer by"), ("zh-hant", "未答覆")])
def test_the_lapse_is_explained_in_the_applicants_language_whatever_the_jobs(language, words):
    application, reviewer = in_review()
    update_claim(application, language=language)
    reviews.application_request_info(
        application=application, by=reviewer, message="x", deadline=today() + dt.timedelta(3)
    )
    with translation.override("zh-hans"):  # the scheduler's language
        assert reviews.applications_lapse_overdue(today=today() + dt.timedelta(4)) == 1
    comment = AuditEntry.objects.for_object(application).get(transition="lapse").comment
    assert words in comment


def test_answered_request_never_lapses():
    application, reviewer = in_review()
    reviews.application_request_info(
        application=application, by=reviewer, message="x", deadline=today() + dt.timedelta(3)
    )
    applicant_side.application_resubmit(application=application, by=application.created_by)
    assert reviews.applications_lapse_overdue(today=today() + dt.timedelta(30)) == 0


# recommend ------------------------------------------------------------------------


def test_recommend_approve_defaults_to_the_computed_amount():
    application, _ = awaiting_decision()
    assert application.status == ApplicationStatus.AWAITING_DECISION
    assert application.recommended_amount == application.requested_amount == Decimal("4000.00")


def test_recommend_needs_the_whole_checklist_and_approval_needs_it_passing():
    application, reviewer = in_review()
    with pytest.raises(ValidationError) as caught:
        reviews.application_recommend(application=application, by=reviewer, recommendation="approve")
    assert "checklist" in str(caught.value)
    checklist_confirmed(application, reviewer)
    reviews.checklist_record(
        application=application,
        by=reviewer,
        rule_code="claimant_is_first_proprietor",
        passed=False,
        note="Not on register",
    )
    with pytest.raises(ValidationError) as caught:
        reviews.application_recommend(application=application, by=reviewer, recommendation="approve")
    assert "amount" in caught.value.error_dict
    reviews.application_recommend(
        application=application, by=reviewer, recommendation="reject", reason="Not proprietor"
    )
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_DECISION


def test_recommend_may_lower_with_a_reason_but_never_raise():
    application, reviewer = in_review()
    checklist_confirmed(application, reviewer)
    with pytest.raises(ValidationError) as caught:
        reviews.application_recommend(
            application=application, by=reviewer, recommendation="approve", amount=Decimal("4000.01")
        )
    assert "amount" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        reviews.application_recommend(
            application=application, by=reviewer, recommendation="approve", amount=Decimal("3000")
        )
    assert "reason" in caught.value.error_dict
    reviews.application_recommend(
        application=application, by=reviewer, recommendation="approve", amount=Decimal("3000"), reason="one fee unpaid"
    )
    assert Application.objects.get(pk=application.pk).recommended_amount == Decimal("3000.00")


def test_recommend_reject_needs_reasons():
    application, reviewer = in_review()
    checklist_confirmed(application, reviewer)
    with pytest.raises(ValidationError):
        reviews.application_recommend(application=application, by=reviewer, recommendation="reject")


# decide ---------------------------------------------------------------------------


def test_the_reviewer_can_never_approve_their_own_case():
    application, reviewer = awaiting_decision()
    reviewer.groups.add(*staff_member(Role.APPROVER).groups.all())  # even holding both roles
    with pytest.raises(NotPermitted):
        reviews.application_approve(application=application, by=reviewer)


def test_database_refuses_reviewer_as_approver():
    application, reviewer = awaiting_decision()
    with pytest.raises(IntegrityError), transaction.atomic():
        update_claim(application, approver=reviewer)


def test_approve_reserves_budget_and_sets_the_notice_period(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approver = cleared_approver(application)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.application_approve(application=application, by=approver)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.approved_amount == Decimal("4000.00")
    assert application.approver == approver
    assert application.notice_ends_on > today()
    assert FundingRound.objects.get(pk=application.funding_round_id).reserved_amount == Decimal("4000.00")
    assert "4,000.00" in mail.outbox[-1].body


def test_approval_beyond_the_budget_is_refused_with_the_reason():
    application, _ = awaiting_decision(funding_round=FundingRoundFactory(budget=Decimal("3999.99")))
    with pytest.raises(reviews.BudgetExceeded) as caught:
        reviews.application_approve(application=application, by=cleared_approver(application))
    assert "3999.99" in str(caught.value.message)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_DECISION


def test_approval_beyond_the_applicants_annual_cap_is_refused():
    funding_round = FundingRoundFactory(per_applicant_annual_cap=Decimal("5000"))
    first, _ = awaiting_decision(funding_round=funding_round)
    # Both recommended before either is approved: only the approval can see the cap.
    second, _ = awaiting_decision(funding_round=funding_round, applicant=first.applicant, created_by=first.created_by)
    reviews.application_approve(application=first, by=cleared_approver(first))
    with pytest.raises(reviews.AnnualCapExceeded) as caught:
        reviews.application_approve(application=second, by=cleared_approver(second))
    assert "5000" in str(caught.value.message)
    assert Application.objects.get(pk=second.pk).status == ApplicationStatus.AWAITING_DECISION


def test_reject_needs_reasons_and_emails_them(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approver = cleared_approver(application)
    with pytest.raises(ValidationError):
        reviews.application_reject(application=application, by=approver, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        reviews.application_reject(application=application, by=approver, reason="Not the first proprietor.")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.REJECTED
    assert "Not the first proprietor." in mail.outbox[-1].body


def test_return_to_review_clears_the_recommendation():
    application, reviewer = awaiting_decision()
    reviews.application_return_to_review(
        application=application, by=cleared_approver(application), comment="check fees"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.recommendation == ""
    assert application.reviewer == reviewer


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPLICANT, Role.FINANCE_APPROVER])
def test_only_approvers_decide(role):
    application, _ = awaiting_decision()
    with pytest.raises(NotPermitted):
        reviews.application_approve(application=application, by=cleared(application, staff_member(role)))


def test_decisions_only_from_awaiting_decision():
    application, _ = in_review()
    with pytest.raises(InvalidState):
        reviews.application_approve(application=application, by=cleared_approver(application))


# objection ------------------------------------------------------------------------


def test_objection_during_notice_reopens_and_releases_the_reservation():
    application, reviewer = awaiting_decision()
    reviews.application_approve(application=application, by=cleared_approver(application))
    reviews.application_record_objection(
        application=application, by=staff_member(Role.SCHEME_ADMIN), objection="Proprietor disputes ownership."
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.approved_amount is None
    assert FundingRound.objects.get(pk=application.funding_round_id).reserved_amount == Decimal("0.00")
    assert application.reviewer == reviewer


def test_objection_after_the_notice_period_is_refused():
    application, _ = awaiting_decision()
    reviews.application_approve(application=application, by=cleared_approver(application))
    update_claim(application, notice_ends_on=today() - dt.timedelta(days=1))
    with pytest.raises(InvalidState) as refused:
        reviews.application_record_objection(
            application=application, by=staff_member(Role.SCHEME_ADMIN), objection="late"
        )
    # The reopen transition's own condition says why, not merely "not possible while approved".
    with translation.override("en"):
        assert "public notice period has ended" in str(refused.value.message)
    assert "reopen" not in available_transitions(application, staff_member(Role.SCHEME_ADMIN))


def test_every_state_change_has_exactly_one_audit_row():
    application, _ = awaiting_decision()
    reviews.application_approve(application=application, by=cleared_approver(application))
    transitions = list(
        AuditEntry.objects.for_object(application)
        .exclude(transition__in=["conflict_declared", "checklist", "letter_requested"])
        .values_list("transition", "from_state", "to_state")
    )
    assert transitions == [
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("recommend", "under_review", "awaiting_decision"),
        ("approve", "awaiting_decision", "approved"),
    ]


# checklist ------------------------------------------------------------------------


def test_reviewer_confirms_or_overrides_each_rule_with_a_note():
    from subsidy.models import ChecklistEntry

    application, reviewer = in_review()
    entry = reviews.checklist_record(application=application, by=reviewer, rule_code="patent_is_standard", passed=True)
    assert entry.automatic_result is True
    assert not entry.overridden
    with pytest.raises(ValidationError) as caught:
        reviews.checklist_record(application=application, by=reviewer, rule_code="patent_is_standard", passed=False)
    assert "patent_is_standard__note" in caught.value.error_dict
    entry = reviews.checklist_record(
        application=application,
        by=reviewer,
        rule_code="patent_is_standard",
        passed=False,
        note="Register shows a short-term patent.",
    )
    assert entry.overridden
    assert ChecklistEntry.objects.filter(application=application).count() == 1
    missing, failing = reviews.checklist_status(application)
    assert failing == {"patent_is_standard"}
    assert "round_is_open" in missing
    assert AuditEntry.objects.for_object(application).filter(transition="checklist").count() == 2
    # Saving the same findings again changes nothing and writes no row.
    reviews.checklist_record(
        application=application,
        by=reviewer,
        rule_code="patent_is_standard",
        passed=False,
        note="Register shows a short-term patent.",
    )
    assert AuditEntry.objects.for_object(application).filter(transition="checklist").count() == 2


def test_only_the_cases_reviewer_records_the_checklist():
    application, _ = in_review()
    other = cleared(application, staff_member(Role.REVIEWER))
    with pytest.raises(NotPermitted):
        reviews.checklist_record(application=application, by=other, rule_code="round_is_open", passed=True)


def test_database_refuses_an_override_without_a_note():
    from subsidy.models import ChecklistEntry

    application, reviewer = in_review()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistEntry.objects.create(
            application=application, rule_code="x", automatic_result=True, passed=False, recorded_by=reviewer
        )


def test_decision_emails_are_in_the_language_the_applicant_submitted_in(django_capture_on_commit_callbacks):
    from django.utils import translation

    with translation.override("zh-hant"):
        application, reviewer = in_review()
    assert application.language == "zh-hant"
    checklist_confirmed(application, reviewer)
    reviews.application_recommend(application=application, by=reviewer, recommendation="approve")
    approver = cleared_approver(application)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # the approver's pages
        reviews.application_approve(application=application, by=approver)
    email = mail.outbox[-1]
    assert email.subject == f"申請 {application.reference} 已獲批准"
    assert "4,000.00" in email.body
