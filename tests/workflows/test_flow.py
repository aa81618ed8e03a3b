"""ApplicationFlow: tasks in staff inboxes and queues that follow the claim's state machine."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from subsidy.models import Application, ApplicationStatus, Role
from subsidy.services import applications as applicant_side
from subsidy.services import reviews
from tests.factories import (
    ApplicantFactory,
    FundingRoundFactory,
    UserFactory,
    awaiting_decision,
    cleared,
    in_review,
    staff_member,
    submitted_application,
    today,
    update_claim,
)
from workflows import selectors
from workflows.flows import ApplicationFlow
from workflows.models import ApplicationProcess
from workflows.queue_entries import waiting_tasks

pytestmark = pytest.mark.django_db


# helpers ---------------------------------------------------------------------------


def open_tasks(application):
    return list(
        Task.objects.filter(
            process__applicationprocess__application=application,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
    )


def the_open_task(application):
    tasks = open_tasks(application)
    assert len(tasks) == 1, tasks
    return tasks[0]


def queue_pks(user):
    """The tasks of `user`'s queue; the queue's SQL (on its read model) and the flow's
    own check of one task (can_assign) agree on them."""
    listed = {entry.task_id for entry in selectors.queue_entries(user, selectors.user_roles(user))}
    assert listed == {task.pk for task in waiting_tasks() if task.flow_task.can_assign(user, task)}
    return listed


def inbox_pks(user):
    return {t.pk for t in selectors.task_inbox(user)}


def with_role(user, role):
    user.groups.add(staff_member(role).groups.get())
    return user


def post(client, url_name, data=None, **kwargs):
    return client.post(reverse(url_name, kwargs=kwargs), data or {})


def act(client, task, action, **fields):
    data = {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("staff:task", kwargs={"task_pk": task.pk}), data)


def approve(client, task, comment=""):
    """The approver presses Approve, then confirms on the panel that names the claim."""
    asked = act(client, task, "approve", comment=comment)
    assert asked.status_code == 200, asked
    panel = asked.context["confirm_approval"]
    assert panel is not None, asked.context["failed_forms"]
    return client.post(
        reverse("staff:task", kwargs={"task_pk": task.pk}),
        {"action": "approve", "approve-comment": comment, "approve-confirm": panel["token"]},
    )


def confirm_checklist(client, task):
    """The reviewer confirms every automatic check on the task page."""
    from subsidy.rules import RULE_SETS

    fields = {f"{code}__finding": "pass" for code in RULE_SETS["hk_standard_patent"].codes}
    response = act(client, task, "checklist", **fields)
    assert response.status_code == 302, response.context and response.context["forms"]["checklist"].errors


def declare(client, task, conflict=False, note=""):
    return client.post(
        reverse("staff:task", kwargs={"task_pk": task.pk}),
        {"conflict-has_conflict": "yes" if conflict else "no", "conflict-note": note},
    )


def take(client, user, task):
    """`user` takes `task` from the queue and declares no conflict."""
    client.force_login(user)
    response = post(client, "staff:task_assign", task_pk=task.pk)
    assert response.status_code == 302, response
    assert response.url == reverse("staff:task", kwargs={"task_pk": task.pk})
    assert declare(client, task).status_code == 302


def reviewed(client, **kwargs):
    """A submitted claim reviewed through the task pages and recommended for approval."""
    application = submitted_application(**kwargs)
    reviewer = staff_member(Role.REVIEWER)
    take(client, reviewer, the_open_task(application))
    confirm_checklist(client, the_open_task(application))
    response = act(client, the_open_task(application), "recommend_approve", amount="4000.00", reason="")
    assert response.status_code == 302, response.context and response.context["forms"]
    application.refresh_from_db()
    return application, reviewer


# start ------------------------------------------------------------------------------


def test_submitting_starts_a_process_with_a_review_task_in_the_reviewers_queue():
    application = submitted_application()
    process = ApplicationProcess.objects.get(application=application)
    assert process.status == PROCESS.NEW
    assert process.flow_class is ApplicationFlow
    task = the_open_task(application)
    assert task.flow_task is ApplicationFlow.review
    assert task.status == STATUS.NEW and task.owner is None
    assert task.pk in queue_pks(staff_member(Role.REVIEWER))
    for role in (Role.APPROVER, Role.FINANCE_OFFICER, Role.AUDITOR):
        assert queue_pks(staff_member(role)) == set()


def test_a_draft_has_no_process():
    from tests.factories import ApplicationFactory

    assert not ApplicationProcess.objects.filter(application=ApplicationFactory()).exists()


# review -> decide -> approve, through the pages ------------------------------------


def test_review_and_decision_journey_through_the_task_pages(client):
    application = submitted_application()
    reviewer = with_role(staff_member(Role.REVIEWER), Role.APPROVER)  # holding both roles changes nothing
    client.force_login(reviewer)
    task = the_open_task(application)
    assert application.reference in client.get(reverse("staff:queue")).content.decode()

    response = post(client, "staff:task_assign", task_pk=task.pk)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner == reviewer
    assert inbox_pks(reviewer) == {task.pk}

    # The case is hidden behind the conflict-of-interest declaration.
    page = client.get(reverse("staff:task", kwargs={"task_pk": task.pk}))
    assert page.templates[0].name == "workflows/conflict.html"
    assert declare(client, task).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.reviewer == reviewer

    page = client.get(reverse("staff:task", kwargs={"task_pk": task.pk}))
    assert page.templates[0].name == "workflows/task.html"
    assert set(page.context["forms"]) == {"checklist", "request_info", "recommend_approve", "recommend_reject"}
    assert page.context["forms"]["recommend_approve"].initial["amount"] == Decimal("4000.00")
    # The checklist is the form here; the read-only table is not shown as well.
    assert page.content.decode().count('class="table checklist"') == 1

    confirm_checklist(client, task)
    response = act(client, task, "recommend_approve", amount="4000.00", reason="")
    assert response.status_code == 302 and response.url == reverse("staff:inbox")
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == reviewer
    decide = the_open_task(application)
    assert decide.flow_task is ApplicationFlow.decide and decide.status == STATUS.NEW

    # Four eyes at assignment: not in the reviewer's queue, and refused if tried.
    assert decide.pk not in queue_pks(reviewer)
    assert not ApplicationFlow.decide.can_assign(reviewer, decide)
    assert post(client, "staff:task_assign", task_pk=decide.pk).status_code == 403
    decide.refresh_from_db()
    assert decide.owner is None

    approver = staff_member(Role.APPROVER)
    assert decide.pk in queue_pks(approver)
    take(client, approver, decide)
    page = client.get(reverse("staff:task", kwargs={"task_pk": decide.pk}))
    assert set(page.context["forms"]) == {"approve", "reject", "return_to_review"}
    assert reviewer.email in page.content.decode()
    assert page.content.decode().count('class="table checklist"') == 1  # the approver reads it

    response = approve(client, decide, comment="Complete and eligible.")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.approver == approver
    process = ApplicationProcess.objects.get(application=application)
    assert process.status == PROCESS.DONE and process.finished is not None
    assert open_tasks(application) == []
    assert list(process.task_set.filter(flow_task_type="END").values_list("flow_task", flat=True)) == [
        ApplicationFlow.approved
    ]


def test_reject_ends_the_process_at_rejected(client):
    application, _ = reviewed(client)
    take(client, staff_member(Role.APPROVER), the_open_task(application))
    assert act(client, the_open_task(application), "reject", reason="Not the first proprietor.").status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    process = ApplicationProcess.objects.get(application=application)
    assert process.status == PROCESS.DONE
    assert process.task_set.filter(flow_task=ApplicationFlow.rejected).exists()


def test_return_to_review_puts_the_task_back_in_the_same_reviewers_inbox(client):
    application, reviewer = reviewed(client)
    take(client, staff_member(Role.APPROVER), the_open_task(application))
    response = act(client, the_open_task(application), "return_to_review", comment="Check the agency fee receipt.")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    task = the_open_task(application)
    assert task.flow_task is ApplicationFlow.review
    assert task.status == STATUS.ASSIGNED and task.owner == reviewer
    assert inbox_pks(reviewer) == {task.pk}
    # Declared once already: the reviewer goes straight to the case and can recommend again.
    client.force_login(reviewer)
    confirm_checklist(client, task)
    assert act(client, task, "recommend_reject", reason="Receipt is forged.").status_code == 302
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_DECISION


def test_request_info_keeps_the_task_and_the_reviewer_continues_after_resubmission(client):
    application = submitted_application()
    reviewer = staff_member(Role.REVIEWER)
    take(client, reviewer, the_open_task(application))
    task = the_open_task(application)
    deadline = today() + dt.timedelta(days=10)
    response = act(client, task, "request_info", message="Upload the P5 form.", deadline=deadline.isoformat())
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INFO_REQUESTED
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner == reviewer
    page = client.get(reverse("staff:task", kwargs={"task_pk": task.pk}))
    assert page.context["forms"] == {}
    assert "Upload the P5 form." in page.content.decode()
    # Nothing to decide while waiting for the applicant.
    response = act(client, task, "recommend_approve", amount="4000.00", reason="")
    assert response.status_code == 302 and response.url == reverse("staff:task", kwargs={"task_pk": task.pk})
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.INFO_REQUESTED

    applicant_side.application_resubmit(application=application, by=application.created_by)
    assert the_open_task(application).pk == task.pk
    confirm_checklist(client, task)
    assert act(client, task, "recommend_approve", amount="4000.00", reason="").status_code == 302
    assert the_open_task(application).flow_task is ApplicationFlow.decide


# errors shown to the user --------------------------------------------------------


def test_service_validation_errors_show_at_the_fields(client):
    application = submitted_application()
    take(client, staff_member(Role.REVIEWER), the_open_task(application))
    task = the_open_task(application)
    confirm_checklist(client, task)
    response = act(client, task, "recommend_approve", amount="4000.01", reason="")
    assert response.status_code == 200
    assert "amount" in response.context["forms"]["recommend_approve"].errors
    response = act(client, task, "request_info", message=" ", deadline=today().isoformat())
    assert set(response.context["forms"]["request_info"].errors) == {"message", "deadline"}
    assert the_open_task(application).pk == task.pk


def test_a_refusal_such_as_the_budget_is_shown_on_the_decision_page(client):
    application, _ = reviewed(client, funding_round=FundingRoundFactory(budget=Decimal("3999.99")))
    take(client, staff_member(Role.APPROVER), the_open_task(application))
    response = approve(client, the_open_task(application))
    assert response.status_code == 200
    assert "3999.99" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_DECISION
    assert the_open_task(application).status == STATUS.ASSIGNED


def test_a_declared_conflict_sends_the_task_back_to_the_queue_for_others(client):
    application = submitted_application()
    task = the_open_task(application)
    reviewer = staff_member(Role.REVIEWER)
    client.force_login(reviewer)
    post(client, "staff:task_assign", task_pk=task.pk)
    response = declare(client, task, conflict=True, note="Former employer.")
    assert response.status_code == 302 and response.url == reverse("staff:queue")
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    assert task.pk not in queue_pks(reviewer)
    assert not ApplicationFlow.review.can_assign(reviewer, task)
    assert task.pk in queue_pks(staff_member(Role.REVIEWER))
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


def test_a_conflict_declaration_needs_a_note(client):
    application = submitted_application()
    task = the_open_task(application)
    client.force_login(staff_member(Role.REVIEWER))
    post(client, "staff:task_assign", task_pk=task.pk)
    response = declare(client, task, conflict=True)
    assert response.status_code == 200
    assert "note" in response.context["form"].errors


def test_a_taken_case_is_only_offered_to_its_reviewer():
    application, reviewer = in_review()
    task = the_open_task(application)
    assert task.owner == reviewer  # start_review outside the pages handed the task over
    reviews_unassign(task)
    other = staff_member(Role.REVIEWER)
    assert task.pk not in queue_pks(other)
    assert task.pk in queue_pks(reviewer)


def reviews_unassign(task):
    from django.db import transaction

    with transaction.atomic():
        task.flow_task.activation_class(task).unassign()


def test_unassign_returns_the_task_to_the_queue(client):
    application = submitted_application()
    reviewer = staff_member(Role.REVIEWER)
    client.force_login(reviewer)
    task = the_open_task(application)
    post(client, "staff:task_assign", task_pk=task.pk)
    assert post(client, "staff:task_unassign", task_pk=task.pk).status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    # Someone else's task cannot be handed back by another reviewer.
    post(client, "staff:task_assign", task_pk=task.pk)
    client.force_login(staff_member(Role.REVIEWER))
    assert post(client, "staff:task_unassign", task_pk=task.pk).status_code == 403


def test_someone_elses_task_page_is_not_shown(client):
    application = submitted_application()
    task = the_open_task(application)
    client.force_login(staff_member(Role.REVIEWER))
    post(client, "staff:task_assign", task_pk=task.pk)
    client.force_login(staff_member(Role.REVIEWER))
    response = client.get(reverse("staff:task", kwargs={"task_pk": task.pk}))
    assert response.status_code == 302
    assert response.url == reverse("staff:application_detail", kwargs={"pk": application.pk})


# transitions outside the task pages ---------------------------------------------------


def test_lapse_cancels_the_process():
    application, reviewer = in_review()
    reviews.application_request_info(
        application=application, by=reviewer, message="x", deadline=today() + dt.timedelta(days=3)
    )
    assert reviews.applications_lapse_overdue(today=today() + dt.timedelta(days=4)) == 1
    process = ApplicationProcess.objects.get(application=application)
    assert process.status == PROCESS.CANCELED
    assert open_tasks(application) == []
    assert inbox_pks(reviewer) == set()


@pytest.mark.parametrize("taken", [False, True])
def test_withdraw_cancels_the_process(taken):
    if taken:
        application, _ = in_review()
    else:
        application = submitted_application()
    applicant_side.application_withdraw(application=application, by=application.created_by)
    assert ApplicationProcess.objects.get(application=application).status == PROCESS.CANCELED
    assert open_tasks(application) == []


def test_an_objection_after_approval_puts_a_review_task_back_in_the_reviewers_inbox():
    application, reviewer = awaiting_decision()
    reviews.application_approve(application=application, by=cleared(application, staff_member(Role.APPROVER)))
    assert open_tasks(application) == []
    reviews.application_record_objection(
        application=application, by=staff_member(Role.SCHEME_ADMIN), objection="Proprietor disputes ownership."
    )
    processes = ApplicationProcess.objects.filter(application=application).order_by("pk")
    assert [p.status for p in processes] == [PROCESS.DONE, PROCESS.NEW]
    task = the_open_task(application)
    assert task.flow_task is ApplicationFlow.review
    assert task.owner == reviewer and task.status == STATUS.ASSIGNED
    assert inbox_pks(reviewer) == {task.pk}


def test_transitions_made_by_services_keep_the_flow_in_step():
    application, reviewer = awaiting_decision()
    decide = the_open_task(application)
    assert decide.flow_task is ApplicationFlow.decide and decide.status == STATUS.NEW
    review = Task.objects.get(process__applicationprocess__application=application, flow_task=ApplicationFlow.review)
    assert review.status == STATUS.DONE and review.owner == reviewer


def test_the_flow_is_rebuilt_from_the_fsm_when_it_is_out_of_step():
    from workflows.sync import flow_rebuild

    application, _ = awaiting_decision()
    ApplicationFlow.instance.cancel(ApplicationProcess.objects.get(application=application))
    assert open_tasks(application) == []
    flow_rebuild(application)
    assert the_open_task(application).flow_task is ApplicationFlow.decide


# query counts ---------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["staff:queue", "staff:inbox"])
def test_inbox_and_queue_queries_do_not_grow_with_the_rows(client, url_name, django_assert_num_queries):
    reviewer = staff_member(Role.REVIEWER)
    client.force_login(reviewer)
    url = reverse(url_name)

    def add(n):
        for _ in range(n):
            application = submitted_application()
            if url_name == "staff:inbox":
                task = the_open_task(application)
                with_transaction(lambda t=task: t.flow_task.activation_class(t).assign(reviewer))

    add(3)
    few = _queries(client, url)
    add(27)
    # session, user, staff check (its roles serve the queue too), count, one joined page
    # of tasks, and the filter form's round and reviewer choices
    expected = 7
    assert few == expected
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert len(response.context["rows"]) == 30


def with_transaction(call):
    from django.db import transaction

    with transaction.atomic():
        call()


def test_queue_rows_show_the_case_and_flag_overdue(client):
    funding_round = FundingRoundFactory(review_sla_days=1)
    late = submitted_application(funding_round=funding_round)
    update_claim(late, submitted_at=late.submitted_at - dt.timedelta(days=2))
    fresh = submitted_application()
    client.force_login(staff_member(Role.REVIEWER))
    response = client.get(reverse("staff:queue"))
    rows = {row.application_pk: row for row in response.context["rows"]}
    assert rows[late.pk].overdue and not rows[fresh.pk].overdue
    assert [row.application_pk for row in response.context["rows"]] == [late.pk, fresh.pk]
    page = response.content.decode()
    for text in (late.reference, late.applicant.name, late.funding_round.name, "Review", "overdue", "Assign to me"):
        assert text in page


# access ---------------------------------------------------------------------------------


def test_the_chart_is_for_staff(client):
    client.force_login(staff_member(Role.AUDITOR))
    assert client.get(reverse("staff:flow_chart")).status_code == 200
    svg = client.get(reverse("staff:flow_chart_svg"))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert "Review" in svg.content.decode() and "Decide" in svg.content.decode()
    bpmn = client.get(reverse("staff:flow_chart_svg"), {"format": "bpmn"})
    assert bpmn.status_code == 200 and b"userTask" in bpmn.content
    client.force_login(UserFactory())
    assert client.get(reverse("staff:flow_chart")).status_code == 403
    assert client.get(reverse("staff:flow_chart_svg")).status_code == 403


def test_applicants_get_403_on_the_staff_workplace(client):
    application = submitted_application()
    task = the_open_task(application)
    client.force_login(application.created_by)
    assert client.get(reverse("staff:inbox")).status_code == 403
    assert client.get(reverse("staff:queue")).status_code == 403
    assert client.get(reverse("staff:task", kwargs={"task_pk": task.pk})).status_code == 403
    assert post(client, "staff:task_assign", task_pk=task.pk).status_code == 403
    task.refresh_from_db()
    assert task.owner is None


def test_staff_case_page_shows_the_workflow_tasks(client):
    application = submitted_application()
    client.force_login(staff_member(Role.AUDITOR))
    response = client.get(reverse("staff:application_detail", kwargs={"pk": application.pk}))
    assert response.status_code == 200
    assert [t.flow_task for t in response.context["tasks"]] == [ApplicationFlow.review]
    assert response.context["open_task"].flow_task is ApplicationFlow.review


def test_the_case_page_picks_the_open_task_from_the_loaded_history(client):
    application, _ = awaiting_decision()
    client.force_login(staff_member(Role.AUDITOR))
    response = client.get(reverse("staff:application_detail", kwargs={"pk": application.pk}))
    assert [t.flow_task for t in response.context["tasks"]] == [ApplicationFlow.review, ApplicationFlow.decide]
    assert response.context["open_task"] == selectors.open_task(application) == the_open_task(application)


def test_the_queue_offers_exactly_the_tasks_the_nodes_let_people_take():
    from subsidy.services.reviews import conflict_declare

    decided, reviewer = awaiting_decision()
    with_role(reviewer, Role.APPROVER)
    fresh = submitted_application()
    conflicted_approver = staff_member(Role.APPROVER)
    conflict_declare(application=decided, by=conflicted_approver, has_conflict=True, note="cousin")
    conflicted_reviewer = staff_member(Role.REVIEWER)
    conflict_declare(application=fresh, by=conflicted_reviewer, has_conflict=True, note="shareholder")
    people = [reviewer, conflicted_approver, conflicted_reviewer, staff_member(Role.APPROVER)]
    people += [staff_member(Role.REVIEWER), staff_member(Role.AUDITOR)]
    tasks = [the_open_task(decided), the_open_task(fresh)]
    for person in people:
        allowed = {t.pk for t in tasks if t.flow_task.can_assign(person, t)}
        assert queue_pks(person) == allowed, person
    assert tasks[0].pk not in queue_pks(reviewer)
    assert tasks[0].pk not in queue_pks(conflicted_approver)
    assert tasks[1].pk not in queue_pks(conflicted_reviewer)


def test_queue_filters_by_city_and_sorts(client):
    from tests.factories import ApplicantFactory, UserFactory

    reviewer = staff_member(Role.REVIEWER)
    owner = UserFactory()
    guangzhou = submitted_application(created_by=owner, applicant=ApplicantFactory(city="guangzhou", owner=owner))
    shenzhen = submitted_application()
    client.force_login(reviewer)
    rows = client.get(reverse("staff:queue"), {"city": "guangzhou"}).context["rows"]
    assert [r.application_pk for r in rows] == [guangzhou.pk]
    rows = client.get(reverse("staff:queue"), {"sort": "-submitted"}).context["rows"]
    assert [r.application_pk for r in rows] == [shenzhen.pk, guangzhou.pk]


def test_taking_and_handing_back_a_task_are_in_the_case_history(client):
    from subsidy.models import AuditEntry

    application = submitted_application()
    reviewer = staff_member(Role.REVIEWER)
    client.force_login(reviewer)
    task = the_open_task(application)
    post(client, "staff:task_assign", task_pk=task.pk)
    post(client, "staff:task_unassign", task_pk=task.pk)
    actions = list(
        AuditEntry.objects.for_object(application)
        .filter(transition__startswith="task_")
        .values_list("transition", "actor")
    )
    assert actions == [("task_assigned", reviewer.pk), ("task_unassigned", reviewer.pk)]


def test_the_queue_inbox_and_filters_escape_what_people_typed(client):
    """The rows and the filter lists are built outside the template engine: names that
    look like HTML must still arrive as text."""
    evil = '<img src=x onerror="alert(1)"> & Co'
    funding_round = FundingRoundFactory(name='<b>R&D "round"</b>')
    owner = UserFactory()
    applicant = ApplicantFactory(name=evil, owner=owner)
    waiting = submitted_application(funding_round=funding_round, applicant=applicant, created_by=owner)
    taken, reviewer = in_review(funding_round=funding_round, applicant=applicant, created_by=owner)
    client.force_login(reviewer)
    for url in (reverse("staff:queue"), reverse("staff:inbox")):
        page = client.get(url).content.decode()
        assert "<img" not in page and "<b>" not in page, url
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co" in page, url
        assert "&lt;b&gt;R&amp;D &quot;round&quot;&lt;/b&gt;" in page, url
    assert waiting.reference in client.get(reverse("staff:queue")).content.decode()
    assert taken.reference in client.get(reverse("staff:inbox")).content.decode()
