"""Staff task pages of ApplicationFlow: inbox, queue, assign-to-me, unassign, the review
and decision pages, and the flow's BPMN chart.

Views are thin. Assigning and unassigning are the flow's own business (viewflow
activations); everything that changes a claim is a domain service, whose FSM
transition moves the flow on (workflows.sync). Locks are taken claim row first,
then the flow's process row, as the services do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import can_proceed
from viewflow.utils import is_owner
from viewflow.workflow import chart
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from forms import reviews as review_forms
from forms.errors import add_service_errors
from forms.reviews import ReassignForm
from forms.staff import ApplicationFilterForm
from subsidy import selectors as domain_selectors
from subsidy.commands import COMMANDS, Command, preset
from subsidy.exceptions import DomainError, NotPermitted
from subsidy.models import Application, ApplicationStatus, ConflictDeclaration, Recommendation
from subsidy.people import Actor
from subsidy.permissions import roles_administer_scheme
from subsidy.rules import rule_set_of
from subsidy.selectors import application_filter
from subsidy.services import reviews
from subsidy.templatetags.subsidy_tags import money
from subsidy.web import client_ip
from workflows import selectors
from workflows.flows import ApplicationFlow, application_of
from workflows.models import ApplicationProcess
from workflows.services import flow_task, task_hand_back, task_locked, task_take
from workflows.services import task_reassign as task_reassign_service
from workflows.staff_views import (
    PAGE_SIZE,
    CappedPaginator,
    add_reassign_form,
    case_context,
    query_without_page,
    request_roles,
    reveal_context,
    staff_required,
)

# --------------------------------------------------------------------------
# Inbox and queue
# --------------------------------------------------------------------------


def _task_list(
    request: HttpRequest,
    items: Any,
    template: str,
    *,
    rows: Any,
    prefix: str = "",
    city_field: str = "applicant__city",
    sort_prefix: str | None = None,
) -> HttpResponse:
    """Inbox and queue: the staff filters apply to the rows' claims, reached through
    `prefix` or carried by the rows (subsidy.selectors.application_filter); the sort
    orders to the claims reached through `sort_prefix` (by default `prefix`)."""
    form = ApplicationFilterForm(request.GET or None, served_by=request.user)
    now = timezone.now()
    items = items.filter(application_filter(prefix=prefix, city_field=city_field, **form.filters(now)))
    if form.is_bound and form.is_valid() and form.cleaned_data.get("sort"):
        items = items.order_by(*form.ordering(prefix=prefix if sort_prefix is None else sort_prefix))
    page = CappedPaginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": rows(page.object_list, now), "form": form, "query": query_without_page(request)}
    return render(request, template, context)


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    tasks = selectors.staff_inbox(request.user)
    return _task_list(request, tasks, "workflows/inbox.html", rows=selectors.task_rows, prefix=selectors.CASE)


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    entries = selectors.queue_entries(request.user, request_roles(request))
    # Filtered on the entries' own copies of the claim's columns; sorted by the claim.
    return _task_list(
        request,
        entries,
        "workflows/queue.html",
        rows=selectors.queue_rows,
        city_field="city",
        sort_prefix="application",
    )


def _flow_task(task_pk: int, user: Any) -> Any:
    """404 for anything but one of the flow's human tasks, on a claim of a scheme the user works on."""
    try:
        return flow_task(task_pk, served_by=user)
    except Task.DoesNotExist as error:
        raise Http404 from error


@contextmanager
def _locked_task(task_pk: int, user: Any) -> Iterator[Any]:
    _flow_task(task_pk, user)
    with task_locked(task_pk) as task:
        yield task


@staff_required
@require_POST
def task_assign(request: HttpRequest, task_pk: int) -> HttpResponse:
    with _locked_task(task_pk, request.user) as task:
        if task.status != STATUS.NEW or task.owner_id is not None:
            messages.error(request, _("Someone has already taken this task."))
            return redirect("staff:queue")
        if not task.flow_task.can_assign(request.user, task):
            raise PermissionDenied(_("You may not take this task."))
        task_take(task=task, by=request.user, ip=client_ip(request))
    messages.success(request, _("The task is now in your inbox."))
    return redirect("staff:task", task_pk=task.pk)


@staff_required
@require_POST
def task_unassign(request: HttpRequest, task_pk: int) -> HttpResponse:
    with _locked_task(task_pk, request.user) as task:
        if task.status != STATUS.ASSIGNED or not task.flow_task.can_unassign(request.user, task):
            raise PermissionDenied(_("This task is not yours to hand back."))
        task_hand_back(task=task, by=request.user, ip=client_ip(request))
    messages.success(request, _("The task is back in the queue."))
    return redirect("staff:inbox")


@staff_required
@require_POST
def task_reassign(request: HttpRequest, task_pk: int) -> HttpResponse:
    """A scheme administrator gives an open task to someone else, from the case page."""
    if not roles_administer_scheme(request.user, request.staff_roles):  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only scheme administrators may reassign a case."))
    with _locked_task(task_pk, request.user) as task:
        form = ReassignForm(request.POST, candidates=selectors.reassign_candidates(task))
        application = application_of(task)
        if form.is_valid():
            try:
                task_reassign_service(
                    task=task,
                    to=form.cleaned_data["to"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
            except NotPermitted as error:
                raise PermissionDenied(str(error.message)) from error
            except ValidationError as error:
                add_service_errors(form, error)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                given_to = {"email": form.cleaned_data["to"].email}
                messages.success(request, _("The task has been given to %(email)s.") % given_to)
                return redirect("staff:application_detail", pk=application.pk)
    context = case_context(application)
    add_reassign_form(request, context, form)
    return render(request, "staff/application_detail.html", context, status=400)


# --------------------------------------------------------------------------
# Task pages
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One form on a task page and the service it runs."""

    form_class: type[django_forms.Form]
    run: Command  # subsidy.commands: the same command the API runs
    # Message once it succeeded (lazily translated); a decision names the claim: %(reference)s, %(amount)s.
    done: Any
    # The claim's transition it leads to: offered while the state machine allows it (the
    # checklist is recorded on the way to a recommendation).
    transition: str


def _record_checklist(application: Application, by: Actor, data: dict[str, Any], ip: str | None) -> object:
    """Not a transition: the findings recorded on the way to a recommendation."""
    return reviews.checklist_record_all(
        application=application, by=by, findings=review_forms.ChecklistForm.findings_of(data), ip=ip
    )


# Per node of the flow: the actions of its page, in the order shown.
ACTIONS: dict[str, dict[str, Action]] = {
    ApplicationFlow.review.name: {
        "start_review": Action(
            review_forms.StartReviewForm, COMMANDS["start_review"], gettext_lazy("Review started."), "start_review"
        ),
        "checklist": Action(
            review_forms.ChecklistForm,
            _record_checklist,
            gettext_lazy("Checklist saved."),
            "recommend",
        ),
        "request_info": Action(
            review_forms.RequestInfoForm,
            COMMANDS["request_info"],
            gettext_lazy(
                "Information requested for %(reference)s. The task stays in your inbox until the applicant answers."
            ),
            "request_info",
        ),
        "recommend_approve": Action(
            review_forms.RecommendApproveForm,
            preset(COMMANDS["recommend"], recommendation=Recommendation.APPROVE),
            gettext_lazy("Approval of %(reference)s recommended. The claim is in the approvers' queue."),
            "recommend",
        ),
        "recommend_reject": Action(
            review_forms.RecommendRejectForm,
            preset(COMMANDS["recommend"], recommendation=Recommendation.REJECT),
            gettext_lazy("Rejection of %(reference)s recommended. The claim is in the approvers' queue."),
            "recommend",
        ),
    },
    ApplicationFlow.decide.name: {
        "approve": Action(
            review_forms.ApproveForm,
            COMMANDS["approve"],
            gettext_lazy("Claim %(reference)s is approved for CNY %(amount)s."),
            "approve",
        ),
        "reject": Action(
            review_forms.RejectForm, COMMANDS["reject"], gettext_lazy("Claim %(reference)s is rejected."), "reject"
        ),
        "return_to_review": Action(
            review_forms.ReturnToReviewForm,
            COMMANDS["return_to_review"],
            gettext_lazy("Claim %(reference)s is back with its reviewer."),
            "return_to_review",
        ),
    },
}

# The checklist and the recommendations are one <form> on the page: a recommendation
# sends the findings shown with it, recorded first in the same transaction.
REVIEW_FORM = ("checklist", "recommend_approve", "recommend_reject")
SENDS_CHECKLIST = {"recommend_approve", "recommend_reject"}


def _form_groups(offered: dict[str, django_forms.Form]) -> list[tuple[str, list[tuple[str, django_forms.Form]]]]:
    """The <form> elements of the page, in the order of the actions: (id, [(action, form)])."""
    groups: list[tuple[str, list[tuple[str, django_forms.Form]]]] = []
    review: list[tuple[str, django_forms.Form]] = []
    for name, form in offered.items():
        if name in REVIEW_FORM:
            if not review:
                groups.append(("review-form", review))
            review.append((name, form))
        else:
            groups.append((f"{name}-form", [(name, form)]))
    return groups


def _checklist_sent(data: Any) -> bool:
    return any(key.startswith("checklist-") for key in data)


def _form_terms(name: str, application: Application) -> dict[str, Any]:
    """What an action's form needs of the claim: the checklist, its scheme's rules."""
    return {"codes": rule_set_of(application.funding_round).codes} if name == "checklist" else {}


def _initial(name: str, context: dict[str, Any]) -> dict[str, Any]:
    if name == "recommend_approve":
        return {"amount": context["amount"].amount}
    if name == "checklist":
        # The reviewer's recorded findings, else the automatic results to confirm.
        recorded = context["checklist"]
        initial: dict[str, Any] = {}
        for result in context["results"]:
            entry = recorded.get(result.code)
            passed = entry.passed if entry else result.passed
            initial[f"{result.code}__finding"] = "pass" if passed else "fail"
            initial[f"{result.code}__note"] = entry.note if entry else ""
        return initial
    return {}


@staff_required
def task_page(request: HttpRequest, task_pk: int) -> HttpResponse:
    task = _flow_task(task_pk, request.user)
    node = task.flow_task
    if task.status != STATUS.ASSIGNED or not is_owner(task.owner, request.user):
        messages.info(request, _("This task is not in your inbox."))
        application_pk = ApplicationProcess.objects.values_list("application_id", flat=True).get(pk=task.process_id)
        return redirect("staff:application_detail", pk=application_pk)
    if not node.can_execute(request.user, task):
        raise PermissionDenied(_("You may not work on this task."))
    user: Any = request.user
    application = domain_selectors.staff_application_detail(task.process.coerced.application_id, served_by=user)
    if not ConflictDeclaration.objects.filter(application=application, user=user).exists():
        return _conflict_page(request, task, application)

    actions = {name: a for name, a in ACTIONS[node.name].items() if can_proceed(getattr(application, a.transition))}
    posted: dict[str, django_forms.Form] = {}
    confirm_approval: dict[str, Any] | None = None
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in actions:
            messages.error(
                request,
                _("This is not possible while the application is %(status)s.")
                % {"status": application.get_status_display()},
            )
            return redirect("staff:task", task_pk=task.pk)
        form = posted[name] = actions[name].form_class(request.POST, prefix=name, **_form_terms(name, application))
        checklist = None
        if name in SENDS_CHECKLIST and "checklist" in actions and _checklist_sent(request.POST):
            checklist = posted["checklist"] = review_forms.ChecklistForm(
                request.POST, prefix="checklist", **_form_terms("checklist", application)
            )
        ready = all([sent.is_valid() for sent in posted.values()])  # every form checked: all errors at once
        if ready and name == "approve":
            confirm_approval = _approval_unconfirmed(request, task, application, form)
            ready = confirm_approval is None
        if ready and _run(request, actions[name], form, application, checklist=checklist):
            messages.success(request, _done_message(actions[name], application))
            stay = name in {"start_review", "checklist"}
            return redirect("staff:task", task_pk=task.pk) if stay else redirect("staff:inbox")
    context = case_context(application)
    offered = {
        name: posted.get(name)
        or action.form_class(prefix=name, initial=_initial(name, context), **_form_terms(name, application))
        for name, action in actions.items()
    }
    context.update(
        {
            "task": task,
            "node": node.name,
            "forms": offered,
            "form_groups": _form_groups(offered),
            # The summary at the top of the page: what the last press sent and what was wrong with it.
            "failed_forms": [posted[name] for name in actions if name in posted and posted[name].errors],
            "confirm_approval": confirm_approval,
            "open_request": domain_selectors.open_information_request(application),
            "reveal": reveal_context(request),
        }
    )
    return render(request, "workflows/task.html", context)


def _approval_unconfirmed(
    request: HttpRequest, task: Any, application: Application, form: django_forms.Form
) -> dict[str, Any] | None:
    """None once the approver confirmed this claim at this amount; else what the
    confirmation panel asks (with why a confirmation sent was not accepted)."""
    amount = application.recommended_amount
    confirmation = review_forms.ApprovalConfirmForm(request.POST, prefix="approve", task_pk=task.pk, amount=amount)
    if confirmation.is_valid():
        return None
    sent = bool(request.POST.get("approve-confirm"))
    return {
        "amount": amount,
        "comment": form.cleaned_data["comment"],
        "token": review_forms.ApprovalConfirmForm.token(task_pk=task.pk, amount=amount),
        "errors": confirmation.errors.get("confirm", []) if sent else [],
    }


def _done_message(action: Action, application: Application) -> str:
    # An approval grants the recommended amount (subsidy.services.reviews.application_approve).
    return str(action.done) % {"reference": application.reference, "amount": money(application.recommended_amount)}


def _run(
    request: HttpRequest,
    action: Action,
    form: django_forms.Form,
    application: Application,
    *,
    checklist: django_forms.Form | None = None,
) -> bool:
    """Run the action's service, after recording the checklist sent with it, in one
    transaction: a refusal of either stores neither and lands on the form it concerns.
    True if it succeeded."""
    steps: list[tuple[Command, django_forms.Form]] = []
    if checklist is not None:
        steps.append((_record_checklist, checklist))
    steps.append((action.run, form))
    refused_on = form
    try:
        with transaction.atomic():
            for run, step_form in steps:
                refused_on = step_form
                run(application, request.user, step_form.cleaned_data, client_ip(request))
    except ValidationError as error:
        add_service_errors(refused_on, error)
        return False
    except DomainError as error:
        refused_on.add_error(None, str(error.message))
        return False
    return True


def _conflict_page(request: HttpRequest, task: Any, application: Application) -> HttpResponse:
    form = review_forms.ConflictForm(request.POST or None, prefix="conflict")
    started = False
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                reviews.conflict_declare(
                    application=application,
                    by=request.user,
                    has_conflict=form.conflict,
                    note=form.cleaned_data["note"],
                    ip=client_ip(request),
                )
                if form.conflict:
                    _hand_back(task, request)
                elif (
                    task.flow_task.name == ApplicationFlow.review.name
                    and application.status == ApplicationStatus.SUBMITTED
                ):
                    reviews.application_start_review(application=application, by=request.user, ip=client_ip(request))
                    started = True
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            if form.conflict:
                messages.info(
                    request, _("Your declaration is recorded. The case has gone back to the queue for a colleague.")
                )
                return redirect("staff:queue")
            messages.success(
                request, _("Declaration recorded. Review started.") if started else _("Declaration recorded.")
            )
            return redirect("staff:task", task_pk=task.pk)
    return render(request, "workflows/conflict.html", {"task": task, "application": application, "form": form})


def _hand_back(task: Any, request: HttpRequest) -> None:
    """After a declared conflict the task goes back to the queue."""
    with _locked_task(task.pk, request.user) as locked:
        if locked.status == STATUS.ASSIGNED:
            task_hand_back(task=locked, by=request.user, ip=client_ip(request))


# --------------------------------------------------------------------------
# The BPMN chart
# --------------------------------------------------------------------------


@staff_required
def flow_chart(request: HttpRequest) -> HttpResponse:
    return render(request, "workflows/chart.html", {"flow": ApplicationFlow.instance})


@staff_required
def flow_chart_svg(request: HttpRequest) -> HttpResponse:
    """The flow as SVG (viewflow's layout); `?format=bpmn` gives BPMN 2.0 XML;
    `?process=<id>` colours the steps one run has been through."""
    grid = chart.calc_layout_data(ApplicationFlow)
    process = request.GET.get("process", "")
    if process.isdigit():
        chart.calc_cell_status(ApplicationFlow, grid, int(process))
    if request.GET.get("format") == "bpmn":
        response = HttpResponse(chart.grid_to_bpmn(grid), content_type="application/xml")
        response["Content-Disposition"] = 'attachment; filename="application_flow.bpmn"'
        return response
    return HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml")
