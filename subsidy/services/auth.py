from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from subsidy.models import Role


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
