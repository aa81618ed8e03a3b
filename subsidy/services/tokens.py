"""Personal API tokens (subsidy.models.tokens): created, revoked one by one by their
owner, and all revoked at once when the account's access changes (a new password, a
two-factor reset, deactivation). Every event writes an audit row; the key never does.

The receivers at the end catch every password change and deactivation, whatever path
saves the account (the password pages, a reset link, the admin, a shell): they compare
the user row as stored with the one being saved. subsidy.apps imports this module."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.audit import audit_record
from subsidy.exceptions import NotPermitted
from subsidy.models import ApiToken, TokenRevocation
from subsidy.models.tokens import (
    API_TOKEN_MAX_DAYS,
    API_TOKEN_NAME_MAX_LENGTH,
    API_TOKEN_PREFIX_LENGTH,
    api_token_hash,
)
from subsidy.people import Actor
from subsidy.permissions import user_is_staff_member


def api_token_days_default() -> int:
    return max(1, min(int(settings.SUBSIDY_API_TOKEN_DAYS), API_TOKEN_MAX_DAYS))


def api_token_needs_second_factor(user: Any) -> bool:
    """Staff create a token only after proving their second factor, while two-step
    sign-in is required: a token must not be a way around it."""
    return bool(settings.SUBSIDY_STAFF_REQUIRE_2FA and (user.is_staff or user_is_staff_member(user)))


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, days: int | None = None, ip: str | None, second_factor: bool = False
) -> tuple[ApiToken, str]:
    """A new token for `user`, working for `days` (settings.SUBSIDY_API_TOKEN_DAYS when
    None; 1 to 365). Returns the token and its key: the key is stored only as a hash
    and cannot be shown again. `second_factor`: the person proved it in this request
    (a verified session, or a code with their password); staff need it while
    settings.SUBSIDY_STAFF_REQUIRE_2FA is on."""
    if not user.is_active:
        raise NotPermitted(_("A deactivated account cannot have API tokens."))
    if api_token_needs_second_factor(user) and not second_factor:
        raise NotPermitted(
            _("Staff create API tokens only after confirming their sign-in with a code from their authenticator app.")
        )
    label = " ".join(str(name).split())
    if not label:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that will use it.")})
    if len(label) > API_TOKEN_NAME_MAX_LENGTH:
        raise ValidationError({"name": _("Keep the name to 100 characters at most.")})
    lifetime = api_token_days_default() if days is None else int(days)
    if not 1 <= lifetime <= API_TOKEN_MAX_DAYS:
        raise ValidationError({"days": _("A token works for 1 to %(max)d days.") % {"max": API_TOKEN_MAX_DAYS}})
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=label,
        key_hash=api_token_hash(key),
        prefix=key[:API_TOKEN_PREFIX_LENGTH],
        created_at=now,
        expires_at=now + dt.timedelta(days=lifetime),
    )
    audit_record(
        subject=token,
        actor=user,
        action="api_token_create",
        to_state="active",
        ip=ip,
        changes={
            "user": user.pk,
            "name": label,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Actor, reason: str, ip: str | None) -> ApiToken:
    """`by` revokes one of their own tokens; it stops working at once. Nobody may revoke
    someone else's. Revoking a revoked token changes nothing."""
    if by is None or not by.is_authenticated or by.pk != token.user_id:
        raise NotPermitted(_("Only its owner may revoke an API token."))
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        before = locked.state
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(
            subject=locked,
            actor=by,
            action="api_token_revoke",
            from_state=before,
            to_state="revoked",
            comment=str(reason),
            ip=ip,
        )
    token.revoked_at, token.revoked_reason = locked.revoked_at, locked.revoked_reason
    return locked


@transaction.atomic
def api_tokens_revoke_all(*, user: Any, reason: str, by: Actor | None = None, ip: str | None = None) -> int:
    """Every token of `user` that still works stops working, each with an audit row
    giving the reason (`by` None: the system, on a change of the account). Returns how
    many were revoked."""
    live = list(ApiToken.objects.select_for_update().filter(user=user).live().order_by("pk"))
    now = timezone.now()
    for token in live:
        token.revoked_at = now
        token.revoked_reason = reason
        token.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(
            subject=token,
            actor=by,
            action="api_tokens_revoke_all",
            from_state="active",
            to_state="revoked",
            comment=str(reason),
            ip=ip,
        )
    return len(live)


# --------------------------------------------------------------------------
# Automatic revocation when an account's password changes or it is deactivated
# --------------------------------------------------------------------------

_PENDING = "_api_token_revocations"


def _password_changed(user: Any, stored_hash: str) -> bool:
    """Whether the hash being saved stands for another password than the stored one.
    A hash upgraded at sign-in (Argon2 parameters, an older hasher) is the same password:
    Django then saves it through set_password with the password just checked."""
    if user.password == stored_hash:
        return False
    raw = getattr(user, "_password", None)  # set by set_password until the save ends
    return raw is None or not check_password(raw, stored_hash)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="api_tokens_note_access_change")
def _note_access_change(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login at every sign-in: no extra query
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    reasons = []
    if stored["is_active"] and not instance.is_active:
        reasons.append(TokenRevocation.DEACTIVATED)
    if _password_changed(instance, stored["password"]):
        reasons.append(TokenRevocation.PASSWORD_CHANGED)
    if reasons:
        setattr(instance, _PENDING, reasons)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="api_tokens_revoke_on_access_change")
def _revoke_on_access_change(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    reasons = instance.__dict__.pop(_PENDING, None)
    for reason in reasons or []:
        api_tokens_revoke_all(user=instance, reason=reason)
