from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from subsidy.models import STAFF_ROLES, Role


def user_has_role(user: Any, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.groups.filter(name=role.value).exists())


def user_is_staff_member(user: Any) -> bool:
    """Scheme staff: any of the staff roles (DESIGN.md §6)."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.groups.filter(name__in=[r.value for r in STAFF_ROLES]).exists())


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
