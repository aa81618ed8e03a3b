from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from subsidy.exceptions import NotPermitted
from subsidy.models import Role
from subsidy.permissions import user_roles


@transaction.atomic
def roles_ensure() -> None:
    """Create the Django groups for every role (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def user_register(*, username: str, email: str, password: str, role: Role = Role.APPLICANT) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user


@transaction.atomic
def otp_device_confirm(*, device: Any, by: Any, ip: str | None) -> Any:
    """A staff member's authenticator app is enrolled: the device is confirmed, any other
    half-made device of theirs removed, and the enrolment audited (the secret never is)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from subsidy.audit import audit_record

    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
    audit_record(
        subject=device, actor=by, action="otp_device_confirm", from_state="unconfirmed", to_state="confirmed", ip=ip
    )
    return device


@transaction.atomic
def otp_devices_reset(*, user: Any, by: Any, reason: str, ip: str | None) -> int:
    """A staff member has lost their authenticator app: a scheme administrator removes
    their devices and signs them out everywhere (a stolen phone may come with an open
    session); at their next sign-in, after the password, they enrol a new app. Another
    administrator's act, never one's own, and audited with the reason. Returns how many
    devices were removed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from subsidy.audit import audit_record

    if not (by.is_superuser or Role.SCHEME_ADMIN.value in user_roles(by)):
        raise NotPermitted(_("Only scheme administrators may reset someone's two-factor sign-in."))
    if user.pk == by.pk:
        raise NotPermitted(_("Ask another scheme administrator to reset your own two-factor sign-in."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the two-factor sign-in is reset.")})
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    sessions_end(user=user)
    audit_record(
        subject=user,
        actor=by,
        action="otp_devices_reset",
        from_state="enrolled" if removed else "not_enrolled",
        to_state="not_enrolled",
        comment=reason.strip(),
        ip=ip,
    )
    return removed


def sessions_end(*, user: Any) -> int:
    """Sign `user` out of every session (database-backed sessions: the site's kind).
    Returns how many ended. Reads each live session: there are few, and this is rare."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.utils import timezone

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    model = store_class.get_model_class()
    theirs = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    for key in theirs:
        store_class(session_key=key).delete()
    return len(theirs)
