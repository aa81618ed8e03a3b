"""`POST /api/v1/auth/token/`: a token for email and password, counted by django-axes like
any sign-in; staff also give a code from their authenticator app while
settings.SUBSIDY_STAFF_REQUIRE_2FA is on (a token must not be a way around it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken

from subsidy.permissions import user_is_staff_member


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(label=_("Email"), write_only=True)
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    otp_token = serializers.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_("Staff only, when two-step sign-in is required: the six digits the app shows."),
    )
    token = serializers.CharField(label=_("Token"), read_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The Django request, not DRF's wrapper: django-axes marks a locked-out attempt on
        # it and its middleware answers 429.
        user = authenticate(
            request=self.context["request"],
            username=str(attrs["username"]).strip().lower(),
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                _("Unable to sign in with this email and password."), code="authorization"
            )
        if settings.SUBSIDY_STAFF_REQUIRE_2FA and (user.is_staff or user_is_staff_member(user)):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
            code = "".join(str(attrs.get("otp_token") or "").split())
            if device is None or not code or not device.verify_token(code):
                message = _("Staff need a valid code from their authenticator app (set up by signing in on the site).")
                raise serializers.ValidationError({"otp_token": message}, code="authorization")
        attrs["user"] = user
        return attrs


class TokenView(ObtainAuthToken):
    serializer_class = TokenRequestSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "request": self.request._request}
