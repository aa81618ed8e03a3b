"""ApplicationFlow: who works on a claim next, as viewflow tasks in staff queues.

The claim's state machine (subsidy.models.Application) is the single source of
truth. This flow only orchestrates people around it: it never sets a status,
its gateway reads the status the domain services have just set, and
workflows.sync moves it along after every transition. The staff task pages
(workflows.task_views) call domain services only.

    start ─> review ─> decide ─> decision? ─┬─ approved ──> end (approved)
               ^                            ├─ rejected ──> end (rejected)
               └────── returned to review ──┘
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow import this
from viewflow.utils import is_owner
from viewflow.workflow import flow, lock
from viewflow.workflow.base import Edge

from subsidy.models import Application, ApplicationStatus, ConflictDeclaration, Role
from subsidy.permissions import user_has_role, user_independent_of_applicant, user_serves_application
from workflows.models import ApplicationProcess

# Who may take a task of a node for a claim: (user, application) -> bool.
TakePredicate = Callable[[Any, Application], bool]


def declared_conflict(user: Any, application: Application) -> bool:
    return ConflictDeclaration.objects.filter(application=application, user=user, has_conflict=True).exists()


def may_take_review(user: Any, application: Application) -> bool:
    """A reviewer of the claim's scheme without a declared conflict, on a case that is
    free or already theirs. workflows.selectors.queue_entries filters the same way in SQL."""
    return (
        user_has_role(user, Role.REVIEWER)
        and application.reviewer_id in (None, user.pk)
        and user_serves_application(user, application)
        and user_independent_of_applicant(user, application.applicant_id)
        and not declared_conflict(user, application)
    )


def may_take_decision(user: Any, application: Application) -> bool:
    """An approver of the claim's scheme without a declared conflict who is not the case's
    reviewer: four eyes, at task assignment (the FSM transition and a database constraint
    check it again). workflows.selectors.queue_entries filters the same way in SQL."""
    return (
        user_has_role(user, Role.APPROVER)
        and user.pk != application.reviewer_id
        and user_serves_application(user, application)
        and user_independent_of_applicant(user, application.applicant_id)
        and not declared_conflict(user, application)
    )


def application_of(task: Any) -> Application:
    process: ApplicationProcess = task.process.coerced
    return process.application


class OpenStaffTaskPage(RedirectView):
    """The task's page is a staff page of ours; viewflow's own execute URL (if its
    views are ever mounted) sends people there."""

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return reverse("staff:task", kwargs={"task_pk": kwargs["task_pk"]})


class StaffTask(flow.View):
    """A human task offered to one role, with a per-claim check of who may take it.

    viewflow's `.Permission()` grants a task by a Django permission name, the same for
    every case; here who may take a task depends on the case (its reviewer, conflict
    declarations), so the node's own checks are overridden.
    """

    def __init__(self, *, may_take: TakePredicate) -> None:
        super().__init__(OpenStaffTaskPage.as_view())
        self._may_take = may_take

    def may_take(self, user: Any, task: Any) -> bool:
        return bool(user is not None and user.is_authenticated and self._may_take(user, application_of(task)))

    def can_assign(self, user: Any, task: Any) -> bool:
        return task.owner_id is None and self.may_take(user, task)

    def can_execute(self, user: Any, task: Any) -> bool:
        return task.owner_id is not None and is_owner(task.owner, user) and self.may_take(user, task)


class StatusSwitch(flow.Switch):
    """An exclusive gateway on the claim's status whose branches carry a label in the chart."""

    def __init__(self) -> None:
        super().__init__()
        self._labels: list[Any] = []

    def Case(self, node: Any, cond: Any = None, label: Any = None) -> StatusSwitch:
        self._labels.append(label)
        super().Case(node, cond)
        return self

    def Default(self, node: Any) -> StatusSwitch:
        self._labels.append(None)
        super().Default(node)
        return self

    def _outgoing(self) -> Any:
        for (node, cond), label in zip(self._activate_next, self._labels, strict=True):
            yield Edge(src=self, dst=node, edge_class="cond_true" if cond else "default", label=label)


class ApplicationFlow(flow.Flow):
    process_class = ApplicationProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Subsidy claim")
    process_description = _("Review and decision of a claim for the Hong Kong standard patent subsidy.")

    start = flow.StartHandle(this.start_process).Annotation(title=_("Claim submitted")).Next(this.review)

    review = (
        StaffTask(may_take=may_take_review)
        .Annotation(
            title=_("Review"),
            description=_("Check eligibility and evidence; request information or recommend a decision."),
        )
        .Assign(this.case_reviewer)
        .Next(this.decide)
    )

    decide = (
        StaffTask(may_take=may_take_decision)
        .Annotation(title=_("Decide"), description=_("Approve, reject or return the claim to its reviewer."))
        .Next(this.decision)
    )

    decision = (
        StatusSwitch()
        .Annotation(title=_("Decision"))
        .Case(this.approved, this.is_approved, label=_("approved"))
        .Case(this.rejected, this.is_rejected, label=_("rejected"))
        .Case(this.review, this.is_under_review)  # the edge back into Review speaks for itself
    )

    approved = flow.End().Annotation(title=_("Approved"))
    rejected = flow.End().Annotation(title=_("Rejected"))

    def start_process(self, activation: Any, *, application: Application) -> ApplicationProcess:
        process: ApplicationProcess = activation.process
        process.application = application
        return process

    def case_reviewer(self, activation: Any) -> Any:
        """A case that has a reviewer goes back to that reviewer's inbox (after a
        return to review or a reopening); a new case waits in the reviewers' queue."""
        return activation.process.application.reviewer

    def _status(self, activation: Any) -> str:
        return str(activation.process.application.status)

    def is_approved(self, activation: Any) -> bool:
        return self._status(activation) == ApplicationStatus.APPROVED

    def is_rejected(self, activation: Any) -> bool:
        return self._status(activation) == ApplicationStatus.REJECTED

    def is_under_review(self, activation: Any) -> bool:
        return self._status(activation) == ApplicationStatus.UNDER_REVIEW


# The human task the flow should have open for a claim in each status; in any
# other status the claim has no open run.
STAGE_TASKS = {
    ApplicationStatus.SUBMITTED: ApplicationFlow.review,
    ApplicationStatus.UNDER_REVIEW: ApplicationFlow.review,
    ApplicationStatus.INFO_REQUESTED: ApplicationFlow.review,
    ApplicationStatus.AWAITING_DECISION: ApplicationFlow.decide,
}
