"""Who holds which role (DESIGN.md §6). Transitions and views ask here."""

from __future__ import annotations

from typing import Any

from subsidy.models.choices import STAFF_ROLES, Role


def user_has_role(user: Any, role: Role) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.groups.filter(name=role.value).exists())


def user_is_staff_member(user: Any) -> bool:
    """Scheme staff: any of the staff roles."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.groups.filter(name__in=[r.value for r in STAFF_ROLES]).exists())
