"""Personal API tokens through the API. `POST /api/v1/auth/token/` makes a new named
token for email and password, counted by django-axes like any sign-in; staff also give
a code from their authenticator app while settings.SUBSIDY_STAFF_REQUIRE_2FA is on (a
token must not be a way around it). `GET /api/v1/auth/tokens/` lists the caller's own
tokens (never a key or hash); `DELETE /api/v1/auth/tokens/{id}/` revokes one of them,
and anyone else's is 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from subsidy.models import ApiToken, TokenRevocation
from subsidy.models.tokens import API_TOKEN_MAX_DAYS
from subsidy.services.tokens import api_token_create, api_token_needs_second_factor, api_token_revoke
from subsidy.web import client_ip


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
    name = serializers.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        write_only=True,
        help_text=_("Your own label for the new token, e.g. the script that uses it."),
    )
    days = serializers.IntegerField(
        label=_("Days"),
        required=False,
        min_value=1,
        max_value=API_TOKEN_MAX_DAYS,
        write_only=True,
        help_text=_("How many days the token works (default: the site's setting, 90 unless changed)."),
    )

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
        attrs["second_factor"] = False
        if api_token_needs_second_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
            code = "".join(str(attrs.get("otp_token") or "").split())
            if device is None or not code or not device.verify_token(code):
                message = _("Staff need a valid code from their authenticator app (set up by signing in on the site).")
                raise serializers.ValidationError({"otp_token": message}, code="authorization")
            attrs["second_factor"] = True
        attrs["user"] = user
        return attrs


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """A token as its owner sees it in lists: never the key nor its hash."""

    status = serializers.SerializerMethodField()
    # Empty while the token has not been revoked.
    revoked_reason = serializers.ChoiceField(choices=TokenRevocation.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked_reason",
            "status",
        ]
        read_only_fields = fields

    def get_status(self, token: ApiToken) -> str:
        """One of active, expired or revoked."""
        return token.state


class NewTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """A token just made, with its key: shown this once."""

    token = serializers.CharField(read_only=True, help_text="The key: send it as `Authorization: Token <key>`.")

    class Meta:
        model = ApiToken
        fields = ["token", "id", "name", "prefix", "created_at", "expires_at"]
        read_only_fields = fields


class TokenView(APIView):
    """A new personal token for email and password (and, for staff while two-step sign-in
    is required, a code from their authenticator app). Each call makes another token;
    the key is in this answer only."""

    # No session or token is looked at (no CSRF check either): the password is the proof.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []  # django-axes counts failed sign-ins here
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: NewTokenSerializer,
            400: OpenApiResponse(description="Wrong email or password, missing code, or invalid name or days."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, key = api_token_create(
            user=data["user"],
            name=data.get("name") or str(_("API script")),
            days=data.get("days"),
            ip=client_ip(request),
            second_factor=data["second_factor"],
        )
        token.token = key  # type: ignore[attr-defined]
        return Response(NewTokenSerializer(token).data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[ApiToken]):
    """The caller's own API tokens, newest first (revoked and expired ones too). DELETE
    revokes one: it stops working at once. Another person's token is 404."""

    serializer_class = ApiTokenSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.of(self.request.user)

    @extend_schema(responses={204: None, 404: OpenApiResponse(description="No such token among the caller's own.")})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(
            token=instance, by=self.request.user, reason=TokenRevocation.BY_OWNER, ip=client_ip(self.request)
        )
