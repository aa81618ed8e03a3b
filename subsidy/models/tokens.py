"""Personal API tokens: named, expiring, revocable, stored only as a SHA-256 hash.

A token is its person's own: created by them (on their account's API tokens page or
with `POST /api/v1/auth/token/`), listed and revoked only by them; nobody else, not
even a scheme administrator, can see its key or make one for them. The key is shown
once, at creation. Services in subsidy.services.tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The longest lifetime a token may be given, in days.
API_TOKEN_MAX_DAYS = 365
# The longest name a person may give a token.
API_TOKEN_NAME_MAX_LENGTH = 100
# How many characters of the key are kept in clear to tell tokens apart.
API_TOKEN_PREFIX_LENGTH = 8


def api_token_hash(key: str) -> str:
    """What is stored of a key: its SHA-256, hex. A key is 256 random bits, so a plain
    hash is enough (no salt or slow hash needed, unlike a password)."""
    return hashlib.sha256(key.encode()).hexdigest()


class TokenRevocation(models.TextChoices):
    """Why a token stopped working before it expired."""

    BY_OWNER = "revoked_by_owner", _("revoked by its owner")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    TWO_FACTOR_RESET = "two_factor_reset", _("two-factor sign-in reset")
    DEACTIVATED = "account_deactivated", _("account deactivated")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        """Neither revoked nor expired: these authenticate."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def of(self, user: Any) -> ApiTokenQuerySet:
        """One person's own tokens, newest first."""
        return self.filter(user=user).order_by("-created_at", "-id")


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"), max_length=API_TOKEN_NAME_MAX_LENGTH, help_text=_("Your own label, e.g. the script that uses it.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=API_TOKEN_PREFIX_LENGTH, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=40, blank=True, choices=TokenRevocation.choices)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> str:
        """One of "revoked", "expired" or "active"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @property
    def is_live(self) -> bool:
        return self.state == "active"
