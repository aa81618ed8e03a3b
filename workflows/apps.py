from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Staff workflows")

    def ready(self) -> None:
        # The flow follows the claim's state machine (see workflows.sync): every
        # Application transition moves it, inside the transition's transaction.
        from django_fsm.signals import post_transition

        from subsidy.models import Application
        from workflows import sync

        post_transition.connect(sync.follow_transition, sender=Application, dispatch_uid="workflows.sync")
