"""A scheme administrator gives a case's open task to someone else (leave, workload)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from viewflow.workflow.status import STATUS

from subsidy.exceptions import NotPermitted
from subsidy.models import Application, AuditEntry, ConflictDeclaration, Role
from subsidy.services import reviews
from tests.factories import staff_member, submitted_application
from tests.workflows.test_flow import act, declare, reviewed, take, the_open_task
from workflows import selectors
from workflows.services import task_reassign

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(client):
    application = submitted_application()
    first = staff_member(Role.REVIEWER)
    take(client, first, the_open_task(application))
    application.refresh_from_db()
    return application, first


def audit_actions(application):
    return list(AuditEntry.objects.for_object(application).values_list("transition", flat=True))


def test_a_review_task_moves_with_the_case_to_another_reviewer(client, under_review):
    application, first = under_review
    second = staff_member(Role.REVIEWER)
    task = the_open_task(application)
    task_reassign(task=task, to=second, by=staff_member(Role.SCHEME_ADMIN), reason="On leave until May.")
    application.refresh_from_db()
    task = the_open_task(application)
    assert application.reviewer == second
    assert (task.owner, task.status) == (second, STATUS.ASSIGNED)
    assert audit_actions(application)[-2:] == ["reviewer_reassigned", "task_reassigned"]
    assert task.pk not in {t.pk for t in selectors.task_inbox(first)}
    # The new reviewer declares no conflict and carries on.
    client.force_login(second)
    assert declare(client, task).status_code == 302
    assert act(client, task, "request_info", message="Send the receipt.", deadline="2099-01-01").status_code == 302


def test_only_scheme_administrators_reassign(under_review):
    application, _ = under_review
    for role in (Role.REVIEWER, Role.APPROVER, Role.AUDITOR):
        with pytest.raises(NotPermitted):
            task_reassign(
                task=the_open_task(application), to=staff_member(Role.REVIEWER), by=staff_member(role), reason="x"
            )


def test_a_reason_is_needed(under_review):
    application, _ = under_review
    with pytest.raises(ValidationError) as caught:
        task_reassign(
            task=the_open_task(application),
            to=staff_member(Role.REVIEWER),
            by=staff_member(Role.SCHEME_ADMIN),
            reason=" ",
        )
    assert "reason" in caught.value.error_dict


def test_never_to_someone_who_may_not_take_it(client, under_review):
    application, _ = under_review
    admin = staff_member(Role.SCHEME_ADMIN)
    conflicted = staff_member(Role.REVIEWER)
    ConflictDeclaration.objects.create(
        application=application, user=conflicted, has_conflict=True, note="Former employer"
    )
    task = the_open_task(application)
    assert conflicted not in selectors.reassign_candidates(task)
    with pytest.raises(ValidationError):
        task_reassign(task=task, to=conflicted, by=admin, reason="x")
    with pytest.raises(ValidationError):
        task_reassign(task=task, to=staff_member(Role.APPROVER), by=admin, reason="x")
    assert Application.objects.get(pk=application.pk).reviewer == under_review[1]


def test_the_decision_never_goes_to_the_cases_reviewer(client):
    application, reviewer = reviewed(client)
    decide = the_open_task(application)
    reviewer.groups.add(staff_member(Role.APPROVER).groups.get())
    candidates = set(selectors.reassign_candidates(decide))
    assert reviewer not in candidates
    with pytest.raises(ValidationError):
        task_reassign(task=decide, to=reviewer, by=staff_member(Role.SCHEME_ADMIN), reason="x")
    approver = staff_member(Role.APPROVER)
    task_reassign(task=decide, to=approver, by=staff_member(Role.SCHEME_ADMIN), reason="Urgent")
    assert the_open_task(application).owner == approver


def test_administrators_reassign_from_the_case_page(client, under_review):
    application, first = under_review
    second = staff_member(Role.REVIEWER)
    client.force_login(staff_member(Role.SCHEME_ADMIN))
    page = client.get(reverse("staff:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert 'id="reassign-heading"' in page and second.email in page
    url = reverse("staff:task_reassign", kwargs={"task_pk": the_open_task(application).pk})
    refused = client.post(url, {"to": second.pk, "reason": ""})
    assert refused.status_code == 400
    assert refused.context["reassign_form"].errors["reason"]
    response = client.post(url, {"to": second.pk, "reason": "Workload"})
    assert response.status_code == 302, response.context and response.context["reassign_form"].errors
    assert Application.objects.get(pk=application.pk).reviewer == second
    client.force_login(first)
    page = client.get(reverse("staff:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert 'id="reassign-heading"' not in page
    assert client.post(url, {"to": first.pk, "reason": "mine"}).status_code == 403


def test_reassign_reviewer_service_guards_its_own_rules(under_review):
    application, _ = under_review
    with pytest.raises(ValidationError):
        reviews.application_reassign_reviewer(
            application=application,
            to=staff_member(Role.FINANCE_OFFICER),
            by=staff_member(Role.SCHEME_ADMIN),
            reason="x",
        )


def superuser():
    """A superuser as `createsuperuser` makes one: no groups at all."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root@example.cn", "root@example.cn", "a-long-pass-phrase")


def test_a_superuser_counts_as_scheme_administrator_for_reassigning(client, under_review):
    application, _ = under_review
    second = staff_member(Role.REVIEWER)
    root = superuser()
    task_reassign(task=the_open_task(application), to=second, by=root, reason="Nobody else is in")
    assert Application.objects.get(pk=application.pk).reviewer == second
    # And from the case page, where the form is offered to them.
    third = staff_member(Role.REVIEWER)
    client.force_login(root)
    page = client.get(reverse("staff:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert 'id="reassign-heading"' in page
    url = reverse("staff:task_reassign", kwargs={"task_pk": the_open_task(application).pk})
    assert client.post(url, {"to": third.pk, "reason": "Workload"}).status_code == 302
    assert Application.objects.get(pk=application.pk).reviewer == third


def test_a_superuser_is_no_reviewer_or_approver_four_eyes_hold(client):
    from workflows.flows import may_take_decision, may_take_review

    root = superuser()
    application = submitted_application()
    review = the_open_task(application)
    assert not may_take_review(root, application)
    assert not review.flow_task.can_assign(root, review)
    with pytest.raises(ValidationError):
        task_reassign(task=review, to=root, by=staff_member(Role.SCHEME_ADMIN), reason="x")
    decided, _ = reviewed(client)
    assert not may_take_decision(root, decided)
