"""The review and decision task pages: a recommendation records the checklist sent with
it, in one transaction; a failed press says what went wrong at the top of the page; an
approval is confirmed on a second press that names the claim and the amount."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from forms.reviews import ApprovalConfirmForm
from subsidy.models import Application, ApplicationStatus, AuditEntry, ChecklistEntry, Role
from subsidy.rules import RULE_SETS
from tests.factories import awaiting_decision, cleared, staff_member, submitted_application
from tests.workflows.test_flow import act, approve, confirm_checklist, take, the_open_task
from workflows.services import task_take

pytestmark = pytest.mark.django_db

RULES = list(RULE_SETS["hk_standard_patent"].codes)


def task_url(task):
    return reverse("staff:task", kwargs={"task_pk": task.pk})


def under_review():
    """A claim under review, its task in its reviewer's inbox (no checklist recorded yet)."""
    application = submitted_application()
    reviewer = staff_member(Role.REVIEWER)
    return application, reviewer, the_open_task(application)


def recommend(client, task, action="recommend_approve", findings=None, **fields):
    """Press a recommendation on the page: the checklist's rows go with it (`findings`:
    rule -> (finding, note); every rule passes unless given)."""
    data = {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}
    rows = {code: ("pass", "") for code in RULES} | (findings or {})
    for code, (finding, note) in rows.items():
        if finding is not None:
            data[f"checklist-{code}__finding"] = finding
        data[f"checklist-{code}__note"] = note
    return client.post(task_url(task), data)


def last_message(response):
    """The message this press added (earlier ones wait unread in the session)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def at_the_top(page, element_id):
    """The element comes before the case and its actions."""
    return page.index(f'id="{element_id}"') < page.index('id="actions-heading"')


def test_the_checklist_and_the_recommendations_are_one_form(client):
    _application, reviewer, task = under_review()
    take(client, reviewer, task)
    page = client.get(task_url(task)).content.decode()
    review_form = re.search(r'<form[^>]*id="review-form".*?</form>', page, re.S).group(0)
    for fieldset in ("action-checklist", "action-recommend_approve", "action-recommend_reject"):
        assert f'id="{fieldset}"' in review_form
    assert review_form.count('name="action"') == 3
    assert 'name="checklist-' in review_form
    # Asking the applicant for more needs no checklist: a form of its own.
    assert 'id="action-request_info"' not in review_form


def test_a_recommendation_records_the_checklist_sent_with_it_in_one_go(client):
    application, reviewer, task = under_review()
    take(client, reviewer, task)
    response = recommend(client, task, amount="4000.00", reason="")
    assert response.status_code == 302 and response.url == reverse("staff:inbox")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_DECISION
    assert ChecklistEntry.objects.filter(application=application, passed=True).count() == len(RULES)
    actions = list(AuditEntry.objects.for_object(application).values_list("transition", flat=True))
    assert actions[-2:] == ["checklist", "recommend"]
    assert last_message(response) == (
        f"Approval of {application.reference} recommended. The claim is in the approvers' queue."
    )


def test_a_rejection_recommendation_records_the_checklist_too(client):
    application, reviewer, task = under_review()
    take(client, reviewer, task)
    failing = {RULES[0]: ("fail", "The receipt is not in the applicant's name.")}
    response = recommend(client, task, "recommend_reject", findings=failing, reason="Receipt in another name.")
    assert response.status_code == 302
    entry = ChecklistEntry.objects.get(application=application, rule_code=RULES[0])
    assert not entry.passed and entry.note == "The receipt is not in the applicant's name."
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_DECISION
    assert last_message(response) == (
        f"Rejection of {application.reference} recommended. The claim is in the approvers' queue."
    )


def test_an_incomplete_checklist_stores_nothing_and_says_so_at_the_top(client):
    application, reviewer, task = under_review()
    take(client, reviewer, task)
    missing = RULES[3]
    response = recommend(client, task, findings={missing: (None, "")}, amount="4000.00", reason="")
    assert response.status_code == 200
    assert not ChecklistEntry.objects.filter(application=application).exists()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW
    checklist = response.context["forms"]["checklist"]
    assert set(checklist.errors) == {f"{missing}__finding"}
    assert response.context["failed_forms"] == [checklist]
    page = response.content.decode()
    assert at_the_top(page, "error-summary")
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    # The link leads to the rule's radio buttons (their group carries the id).
    assert f'href="#id_checklist-{missing}__finding"' in summary
    assert f'id="id_checklist-{missing}__finding"' in page
    # What was sent stays as sent, to finish rather than redo.
    assert checklist.is_bound and checklist[f"{RULES[0]}__finding"].value() == "pass"


def test_an_override_without_a_note_stores_nothing(client):
    application, reviewer, task = under_review()
    take(client, reviewer, task)
    response = recommend(client, task, findings={RULES[0]: ("fail", "")}, amount="4000.00", reason="")
    assert response.status_code == 200
    assert "Explain why you differ from the automatic check." in response.content.decode()
    assert f"{RULES[0]}__note" in response.context["forms"]["checklist"].errors
    assert not ChecklistEntry.objects.filter(application=application).exists()
    assert at_the_top(response.content.decode(), "error-summary")


def test_a_refused_recommendation_leaves_the_checklist_unrecorded_too(client):
    application, reviewer, task = under_review()
    take(client, reviewer, task)
    response = recommend(client, task, amount="4000.01", reason="")  # more than computed
    assert response.status_code == 200
    assert "amount" in response.context["forms"]["recommend_approve"].errors
    assert not ChecklistEntry.objects.filter(application=application).exists()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW
    page = response.content.decode()
    assert at_the_top(page, "error-summary")
    assert 'href="#id_recommend_approve-amount"' in page


def test_without_the_checklist_a_recommendation_needs_a_recorded_one(client):
    """A press that sends no checklist (not from the page) is judged on the recorded one."""
    _application, reviewer, task = under_review()
    take(client, reviewer, task)
    response = act(client, task, "recommend_approve", amount="4000.00", reason="")
    assert response.status_code == 200
    page = response.content.decode()
    assert at_the_top(page, "error-summary")
    assert f"checklist first ({len(RULES)} left)" in page
    confirm_checklist(client, task)
    assert act(client, task, "recommend_approve", amount="4000.00", reason="").status_code == 302


# the approval is confirmed ---------------------------------------------------------


@pytest.fixture
def decision(client):
    """A claim awaiting decision, its task taken by a cleared approver signed in."""
    application, _reviewer = awaiting_decision()
    approver = cleared(application, staff_member(Role.APPROVER))
    task = the_open_task(application)
    task_take(task=task, by=approver)
    client.force_login(approver)
    return application, task


def test_the_first_press_of_approve_asks_to_confirm_naming_the_claim_and_amount(client, decision):
    application, task = decision
    response = act(client, task, "approve", comment="Complete and eligible.")
    assert response.status_code == 200
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_DECISION
    page = response.content.decode()
    assert at_the_top(page, "confirm-approval")
    assert f"Approve claim {application.reference} for CNY 4,000.00?" in page
    panel = response.context["confirm_approval"]
    assert panel["errors"] == [] and panel["comment"] == "Complete and eligible."
    assert f'value="{panel["token"]}"' in page and 'id="confirm-approve"' in page


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        ApprovalConfirmForm.token(task_pk=0, amount=Decimal("4000.00")),  # another task's
    ],
)
def test_no_approval_without_a_valid_confirmation(client, decision, token):
    application, task = decision
    response = client.post(task_url(task), {"action": "approve", "approve-comment": "", "approve-confirm": token})
    assert response.status_code == 200
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_DECISION
    panel = response.context["confirm_approval"]
    assert panel["errors"], "the panel says why it asks again"
    assert panel["token"] != token


def test_a_confirmation_for_another_amount_does_not_approve(client, decision):
    application, task = decision
    token = ApprovalConfirmForm.token(task_pk=task.pk, amount=Decimal("3999.00"))
    response = client.post(task_url(task), {"action": "approve", "approve-comment": "", "approve-confirm": token})
    assert response.status_code == 200
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_DECISION
    assert "The claim has changed since you were asked. Confirm again." in response.content.decode()


def test_the_confirmed_approval_is_made_and_its_message_names_the_claim(client, decision):
    application, task = decision
    response = approve(client, task, comment="Complete and eligible.")
    assert response.status_code == 302 and response.url == reverse("staff:inbox")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert AuditEntry.objects.for_object(application).get(transition="approve").comment == "Complete and eligible."
    assert last_message(response) == f"Claim {application.reference} is approved for CNY 4,000.00."


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("reject", {"reason": "Not the first proprietor."}, "Claim {reference} is rejected."),
        ("return_to_review", {"comment": "Check the receipt."}, "Claim {reference} is back with its reviewer."),
    ],
)
def test_every_decision_message_names_the_claim(client, decision, action, fields, message):
    application, task = decision
    response = act(client, task, action, **fields)
    assert response.status_code == 302
    assert last_message(response) == message.format(reference=application.reference)
