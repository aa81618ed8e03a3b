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
