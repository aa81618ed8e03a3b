"""A colleague leaves: a scheme administrator hands over the tasks they hold
(workflows.services.staff_cases_hand_over, from the staff accounts page)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from viewflow.workflow.status import STATUS

from subsidy.exceptions import NotPermitted
from subsidy.models import Application, ApplicationStatus, AuditEntry, ConflictDeclaration, Role
from tests.factories import staff_member, submitted_application
from tests.workflows.test_flow import act, declare, inbox_pks, queue_pks, reviewed, take, the_open_task
from workflows.services import staff_cases_hand_over
from workflows.templatetags.workflow_tags import history_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def departing(client):
    """A reviewer who is also an approver, holding two reviews (one waiting for the
    applicant's answer), one decision, and a review the successor may not take."""
    person = staff_member(Role.REVIEWER)
    person.groups.add(staff_member(Role.APPROVER).groups.get())
    successor = staff_member(Role.REVIEWER)
    cases = {}
    for name in ("review", "answer", "conflict"):
        cases[name] = submitted_application()
        take(client, person, the_open_task(cases[name]))
    act(client, the_open_task(cases["answer"]), "request_info", message="Send the receipt.", deadline="2099-01-01")
    ConflictDeclaration.objects.create(
        application=cases["conflict"], user=successor, has_conflict=True, note="Former employer"
    )
    cases["decision"], _ = reviewed(client)
    take(client, person, the_open_task(cases["decision"]))
    cases["elsewhere"] = submitted_application()
    take(client, staff_member(Role.REVIEWER), the_open_task(cases["elsewhere"]))
    return person, successor, {name: Application.objects.get(pk=case.pk) for name, case in cases.items()}


def hand_over_url(user):
    return reverse("staff:hand_over", args=[user.pk])


def test_reviews_go_to_the_successor_and_decisions_back_to_the_queue(client, departing):
    person, successor, cases = departing
    assert cases["answer"].status == ApplicationStatus.INFO_REQUESTED
    admin = staff_member(Role.SCHEME_ADMIN)
    client.force_login(admin)
    accounts = client.get(reverse("staff:accounts")).content.decode()
    assert f'href="{hand_over_url(person)}">Hand over cases' in accounts
    page = client.get(hand_over_url(person)).content.decode()
    assert "4 open tasks held" in page
    assert all(cases[name].reference in page for name in ("review", "answer", "conflict", "decision"))
    assert cases["elsewhere"].reference not in page

    refused = client.post(hand_over_url(person), {"to": successor.pk, "reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    done = client.post(hand_over_url(person), {"to": successor.pk, "reason": "Left the office on 30 November."})
    assert done.status_code == 200
    result = done.context["result"]
    assert sorted(result.moved) == sorted([cases["review"].reference, cases["answer"].reference])
    assert result.released == [cases["decision"].reference]
    assert [reference for reference, _why in result.refused] == [cases["conflict"].reference]
    assert result.refused[0][1] == "This reviewer has declared a conflict of interest on the case."
    body = done.content.decode()
    assert cases["conflict"].reference in body and "Give each of these to someone else" in body

    for name in ("review", "answer"):
        case = Application.objects.get(pk=cases[name].pk)
        task = the_open_task(case)
        assert (case.reviewer, task.owner, task.status) == (successor, successor, STATUS.ASSIGNED)
        assert case.status == cases[name].status  # where it was: a handover is not a state change
        actions = list(AuditEntry.objects.for_object(case).values_list("transition", flat=True))
        assert actions[-2:] == ["reviewer_reassigned", "task_reassigned"]
    decision = the_open_task(cases["decision"])
    assert (decision.owner, decision.status) == (None, STATUS.NEW)
    released = AuditEntry.objects.for_object(cases["decision"]).latest("id")
    assert (released.transition, released.actor) == ("task_unassigned", admin)
    # The task is kept by its node's name, titled in the reader's language when shown.
    assert (released.comment, released.changes) == ("Left the office on 30 November.", {"task": "decide"})
    with translation.override("en"):
        assert history_comment(released) == "Decide: Left the office on 30 November."
    with translation.override("zh-hans"):
        shown = history_comment(released)
    assert shown.endswith(": Left the office on 30 November.") and not shown.startswith("Decide")
    assert decision.pk in queue_pks(staff_member(Role.APPROVER))
    assert inbox_pks(person) == {the_open_task(cases["conflict"]).pk}
    assert Application.objects.get(pk=cases["conflict"].pk).reviewer == person
    assert the_open_task(cases["elsewhere"]).owner != person


def test_the_successor_carries_on_with_the_review(client, departing):
    person, successor, cases = departing
    staff_cases_hand_over(user=person, to=successor, by=staff_member(Role.SCHEME_ADMIN), reason="Left")
    task = the_open_task(cases["review"])
    client.force_login(successor)
    assert declare(client, task).status_code == 302
    response = act(client, task, "request_info", message="Send the fee receipt.", deadline="2099-01-01")
    assert response.status_code == 302


def test_only_scheme_administrators_to_another_active_reviewer(departing):
    person, successor, _cases = departing
    admin = staff_member(Role.SCHEME_ADMIN)
    for role in (Role.REVIEWER, Role.APPROVER, Role.AUDITOR):
        with pytest.raises(NotPermitted):
            staff_cases_hand_over(user=person, to=successor, by=staff_member(role), reason="Left")
    for to in (person, staff_member(Role.APPROVER)):
        with pytest.raises(ValidationError):
            staff_cases_hand_over(user=person, to=to, by=admin, reason="Left")
    successor.is_active = False
    successor.save()
    with pytest.raises(ValidationError):
        staff_cases_hand_over(user=person, to=successor, by=admin, reason="Left")
    assert len(inbox_pks(person)) == 4


def test_other_staff_may_not_open_the_page(client, departing):
    person, successor, _cases = departing
    for role in (Role.REVIEWER, Role.AUDITOR, Role.FINANCE_OFFICER):
        client.force_login(staff_member(role))
        assert client.get(hand_over_url(person)).status_code == 403
        assert client.post(hand_over_url(person), {"to": successor.pk, "reason": "x"}).status_code == 403
    assert len(inbox_pks(person)) == 4


def test_the_staff_accounts_page_shows_who_holds_tasks_nobody_works_on(client, departing):
    person, successor, _cases = departing
    person.is_active = False
    person.save()
    client.force_login(staff_member(Role.SCHEME_ADMIN))
    body = client.get(reverse("staff:accounts")).content.decode()
    row = next(row for row in body.split("<tr>") if person.email in row)
    assert '<td class="num">4 <span class="badge todo">nobody works on these</span></td>' in row
    assert f'href="{hand_over_url(person)}">Hand over cases' in row
    successor_row = next(row for row in body.split("<tr>") if successor.email in row)
    assert '<td class="num">0</td>' in successor_row
    assert hand_over_url(successor) not in successor_row  # nothing to hand over


def test_a_superuser_hands_cases_over(departing):
    from django.contrib.auth import get_user_model

    from workflows.services import staff_cases_hand_over

    person, successor, cases = departing
    root = get_user_model().objects.create_superuser("root@example.cn", "root@example.cn", "a-long-pass-phrase")
    result = staff_cases_hand_over(user=person, to=successor, by=root, reason="Left the office")
    assert cases["review"].reference in result.moved
    assert cases["decision"].reference in result.released
