"""The case page and the review task page show the applicant's answer to an information
request: their reply and what changed in the claim since the request."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from subsidy.audit import audit_record
from subsidy.models import Application, ApplicationStatus, CostItem, InformationRequest
from subsidy.services import applications as applicant_side
from subsidy.services import reviews
from tests.factories import in_review, today
from tests.workflows.test_flow import the_open_task

pytestmark = pytest.mark.django_db


def ask(application, reviewer):
    reviews.application_request_info(
        application=application, by=reviewer, message="Correct the agency fee.", deadline=today() + dt.timedelta(14)
    )


def lower_the_agency_fee(application):
    item = CostItem.objects.get(application=application)
    applicant_side.application_set_costs(
        application=application,
        by=application.created_by,
        items=[
            {
                "cost_type": item.cost_type,
                "amount": Decimal("6000.00"),
                "currency": item.currency,
                "paid_on": item.paid_on,
                "receipt_number": item.receipt_number,
            }
        ],
    )


def case_page(client, application):
    return client.get(reverse("staff:application_detail", kwargs={"pk": application.pk}))


def test_the_case_page_shows_the_reply_escaped_and_what_changed(client):
    application, reviewer = in_review()
    ask(application, reviewer)
    lower_the_agency_fee(application)
    applicant_side.application_resubmit(
        application=application, by=application.created_by, reply="Fee corrected <b>as asked</b>."
    )
    client.force_login(reviewer)
    response = case_page(client, application)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="answer-heading"' in page
    assert "Fee corrected &lt;b&gt;as asked&lt;/b&gt;." in page
    assert "<b>as asked</b>" not in page
    lines = [str(line) for line in response.context["answer"].changes]
    assert len(lines) == 2
    assert lines[0].startswith("Cost item changed: ") and lines[0].endswith("8,000.00 → 6,000.00")
    assert lines[1].endswith("4,000.00 → 3,000.00")
    assert "8,000.00 → 6,000.00" in page


def test_nothing_changed_and_no_reply_are_both_said(client):
    application, reviewer = in_review()
    ask(application, reviewer)
    applicant_side.application_resubmit(application=application, by=application.created_by)
    client.force_login(reviewer)
    page = case_page(client, application).content.decode()
    assert "The applicant wrote no reply." in page
    assert "Nothing in the claim changed." in page


def test_a_request_made_before_changes_were_recorded_says_so(client):
    application, reviewer = in_review()
    InformationRequest.objects.create(
        application=application, requested_by=reviewer, message="Old", deadline=today() + dt.timedelta(5)
    )
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.INFO_REQUESTED)
    audit_record(subject=application, actor=reviewer, action="request_info", comment="Old")
    application.refresh_from_db()
    applicant_side.application_resubmit(application=application, by=application.created_by, reply="Done.")
    client.force_login(reviewer)
    response = case_page(client, application)
    assert response.context["answer"].changes is None
    assert "Not recorded: the request was made before changes were recorded." in response.content.decode()


def test_a_case_never_asked_has_no_answer_section(client):
    application, reviewer = in_review()
    client.force_login(reviewer)
    response = case_page(client, application)
    assert response.context["answer"] is None
    assert "answer-heading" not in response.content.decode()


def test_the_answer_costs_the_case_page_no_query(client):
    plain, _ = in_review()
    answered, reviewer = in_review()
    ask(answered, reviewer)
    lower_the_agency_fee(answered)
    applicant_side.application_resubmit(application=answered, by=answered.created_by, reply="Fee corrected.")
    client.force_login(reviewer)
    counts = []
    for application in (plain, answered):
        case_page(client, application)
        with CaptureQueriesContext(connection) as captured:
            assert case_page(client, application).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_reviewers_task_page_shows_the_answer(client):
    application, reviewer = in_review()
    ask(application, reviewer)
    applicant_side.application_resubmit(application=application, by=application.created_by, reply="See the P5 form.")
    client.force_login(reviewer)
    task = the_open_task(application)
    page = client.get(reverse("staff:task", kwargs={"task_pk": task.pk})).content.decode()
    assert "See the P5 form." in page
    assert "Nothing in the claim changed." in page
