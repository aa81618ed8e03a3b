"""A double-clicked "approve" on the approver's task page: one decision, one budget
reservation, one letter, whether the clicks come one after the other or at once."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from subsidy.models import ApplicationStatus, AuditEntry, Letter, Role
from tests.double_clicks import at_once
from tests.factories import awaiting_decision, cleared, staff_member
from tests.workflows.test_flow import the_open_task
from workflows.services import task_take

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def decision():
    """A claim awaiting decision whose task sits in a cleared approver's inbox."""
    application, _reviewer = awaiting_decision()
    approver = cleared(application, staff_member(Role.APPROVER))
    task = the_open_task(application)
    with transaction.atomic():
        task_take(task=task, by=approver)
    return application, approver, task


def confirmation(approver, task):
    """The approver's first press of Approve: the confirmation it asks for (a token)."""
    client = Client()
    client.force_login(approver)
    asked = client.post(
        reverse("staff:task", kwargs={"task_pk": task.pk}), {"action": "approve", "approve-comment": "Eligible."}
    )
    assert asked.status_code == 200
    return asked.context["confirm_approval"]["token"]


def approve(approver, task, token):
    """The confirming press, the one that approves (the double click lands here)."""
    client = Client()
    client.force_login(approver)
    return client.post(
        reverse("staff:task", kwargs={"task_pk": task.pk}),
        {"action": "approve", "approve-comment": "Eligible.", "approve-confirm": token},
    )


def assert_decided_once(application):
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert AuditEntry.objects.for_object(application).filter(transition="approve").count() == 1
    application.funding_round.refresh_from_db()
    assert application.funding_round.reserved_amount == application.approved_amount
    assert Letter.objects.filter(application=application).count() == 1


def test_two_approvals_one_after_the_other_decide_once(decision):
    application, approver, task = decision
    token = confirmation(approver, task)
    first, second = approve(approver, task, token), approve(approver, task, token)
    assert first.status_code == 302 and first.url == reverse("staff:inbox")
    # The task is done: the second click lands on the case page, not on an error.
    assert second.status_code == 302
    assert second.url == reverse("staff:application_detail", kwargs={"pk": application.pk})
    assert_decided_once(application)


def test_two_approvals_at_once_decide_once(decision):
    application, approver, task = decision
    token = confirmation(approver, task)
    responses = at_once(lambda: approve(approver, task, token), lambda: approve(approver, task, token))
    codes = sorted(r.status_code for r in responses)
    # One wins (redirect to the inbox); the other is told the claim is already decided
    # (the task page again with the reason, or the case page), never a server error.
    assert codes in ([200, 302], [302, 302]), responses
    assert_decided_once(application)
