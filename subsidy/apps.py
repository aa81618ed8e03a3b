from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidyConfig(AppConfig):
    name = "subsidy"
    verbose_name = _("HK standard patent subsidy")

    def ready(self) -> None:
        # Every FSM transition writes its audit row (subsidy.audit); sessions note when
        # their person signed in (subsidy.security).
        from subsidy import audit, security  # noqa: F401
