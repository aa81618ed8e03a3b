"""API authentication with personal tokens (subsidy.models.tokens).

`Authorization: Token <key>`: the key is hashed and looked up; a revoked or expired
token, or one whose account is deactivated, gets 401 saying so. Tokens are made, listed
and revoked through subsidy.api.token_views. This module imports no DRF view: the
settings name the class here, and DRF imports it while defining its APIView."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from subsidy.models import ApiToken
from subsidy.models.tokens import api_token_hash

# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` (DRF parses the header); `request.auth` is the ApiToken."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key)).first()
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise AuthenticationFailed(
                _("This API token has been revoked. Create a new one on your account's API tokens page.")
            )
        now = timezone.now()
        if token.expires_at <= now:
            raise AuthenticationFailed(
                _("This API token has expired. Create a new one on your account's API tokens page.")
            )
        if not token.user.is_active:
            raise AuthenticationFailed(_("This account has been deactivated."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes ApiTokenAuthentication (drf-spectacular)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        definition = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=ApiTokenAuthentication.keyword
        )
        definition["description"] = (
            "A personal API token: `Authorization: Token <key>`. Make one on your account's API tokens "
            "page or with `POST /api/v1/auth/token/`; it expires and can be revoked."
        )
        return definition
