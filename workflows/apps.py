from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Staff workflows")

    def ready(self) -> None:
        # The flow follows the claim's state machine (see workflows.sync): every
        # Application transition moves it, inside the transition's transaction.
        from django.db.models.signals import post_save
        from django_fsm.signals import post_transition
        from viewflow.workflow.models import Task

        from subsidy.models import Applicant, Application
        from workflows import queue_entries, sync

        post_transition.connect(sync.follow_transition, sender=Application, dispatch_uid="workflows.sync")
        # The queue's read model follows tasks, claims and applicants (workflows.queue_entries).
        post_save.connect(queue_entries.task_saved, sender=Task, dispatch_uid="queue.task")
        post_save.connect(queue_entries.application_saved, sender=Application, dispatch_uid="queue.application")
        post_save.connect(queue_entries.applicant_saved, sender=Applicant, dispatch_uid="queue.applicant")

        # Its daily check runs beside the domain's periodic jobs (subsidy.scheduling).
        from subsidy.scheduling import JOBS, Job, daily
        from workflows.tasks import reconcile_queue

        if not any(job.name == "reconcile_queue" for job in JOBS):
            JOBS.append(Job("reconcile_queue", daily, reconcile_queue))
