from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidyConfig(AppConfig):
    name = "subsidy"
    verbose_name = _("HK standard patent subsidy")

    def ready(self) -> None:
        # Every FSM transition writes its audit row (subsidy.audit); sessions note when
        # their person signed in (subsidy.security); a new password or a deactivation
        # revokes the account's API tokens (subsidy.services.tokens).
        from django.conf import settings
        from PIL import Image

        from subsidy import audit, security  # noqa: F401

        # Pillow warns above this many pixels and refuses twice as many, wherever an image
        # is opened; uploads above it are refused outright (subsidy.uploads).
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
        from subsidy.services import tokens  # noqa: F401
