"""Who holds which role (DESIGN.md §6). Transitions and views ask here."""

from __future__ import annotations

from typing import Any

from subsidy.models.choices import FINANCE_ROLES, STAFF_ROLES, Role

# Who may open the finance pages: finance staff act there; auditors and scheme
# administrators read them.
FINANCE_VIEWERS = {r.value for r in [*FINANCE_ROLES, Role.AUDITOR, Role.SCHEME_ADMIN]}


# Who may retry a failed letter and correct an issued one.
LETTER_MANAGERS = {Role.APPROVER.value, Role.SCHEME_ADMIN.value}


def roles_manage_letters(roles: set[str]) -> bool:
    return bool(roles & LETTER_MANAGERS)


def user_has_role(user: Any, role: Role) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.groups.filter(name=role.value).exists())


def user_is_staff_member(user: Any) -> bool:
    """Scheme staff: any of the staff roles."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.groups.filter(name__in=[r.value for r in STAFF_ROLES]).exists())


def user_roles(user: Any) -> set[str]:
    """The names of the user's role groups, in one query."""
    if user is None or not user.is_authenticated:
        return set()
    return set(user.groups.values_list("name", flat=True))


def roles_see_finance(user: Any, roles: set[str]) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or roles & FINANCE_VIEWERS))
