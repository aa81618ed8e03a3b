"""Who holds which role (DESIGN.md §6). Transitions and views ask here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Exists, IntegerField, OuterRef, Q, Value

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


def user_has_any_role(user: Any, roles: Iterable[Role]) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.groups.filter(name__in=[role.value for role in roles]).exists())


def user_independent_of_applicant(user: Any, applicant_id: Any) -> bool:
    """Conflict of interest, by construction: nobody reviews, decides, verifies, pays or
    reconciles anything for an applicant whose account they can act for. Staff accounts
    never hold applicant access (a database trigger refuses it), so this holds for every
    member of staff; transitions and task assignment still ask, so that the rule does not
    rest on that trigger alone."""
    return applicant_id not in applicants_of(user)


def applicants_of(user: Any) -> frozenset[int]:
    """The applicants a user's account may act for (none for staff), read once per user
    object: transitions ask for every case on a page."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_subsidy_applicant_ids", None)
    if cached is None:
        cached = frozenset(user.applicant_access.values_list("applicant_id", flat=True))
        user._subsidy_applicant_ids = cached
    return cached


def schemes_served_by(user: Any) -> frozenset[int] | None:
    """The schemes a staff account is limited to (subsidy.models.StaffScope), or None for
    every scheme (no row: the default), read once per user object like applicants_of."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_subsidy_scheme_ids"):
        ids = frozenset(user.staff_scopes.values_list("scheme_id", flat=True))
        user._subsidy_scheme_ids = ids or None
    served: frozenset[int] | None = user._subsidy_scheme_ids
    return served


def user_serves_scheme(user: Any, scheme_id: Any) -> bool:
    """Whether the user works on this scheme: transitions, task assignment and views ask."""
    served = schemes_served_by(user)
    return served is None or scheme_id in served


def user_serves_application(user: Any, application: Any) -> bool:
    """user_serves_scheme for a claim's scheme; the claim's round is read only for an
    account limited to some schemes."""
    return schemes_served_by(user) is None or user_serves_scheme(user, application.funding_round.scheme_id)


def in_schemes_served_by(user: Any, scheme_field: str = "funding_round__scheme") -> Q:
    """The same rule as a condition on rows that reach a scheme through `scheme_field`,
    for staff querysets: no condition at all for an account not limited to some schemes,
    so a list of every claim neither joins the rounds nor tests each row."""
    served = schemes_served_by(user)
    if served is None:
        return Q()
    return Q(**{f"{scheme_field}__in": sorted(served)})


def serving_scheme(scheme_id: Any) -> Q:
    """A condition on accounts: those who work on the scheme (every account without a
    scope among them), e.g. to whom a case of the scheme may be given."""
    from subsidy.models.staff_scopes import StaffScope

    scopes = StaffScope.objects.filter(user=OuterRef("pk"))
    return ~Q(Exists(scopes)) | Q(Exists(scopes.filter(scheme_id=scheme_id)))


def may_not_act_for_applicants(user: Any) -> bool:
    """Staff (any staff role, the admin flag or superuser) never hold applicant access:
    an administrator who also applies uses a second account. A database trigger holds
    the same rule (subsidy migration 0016)."""
    return bool(user is None or not user.is_authenticated or user.is_staff or user_is_staff_member(user))


def roles_administer_scheme(user: Any, roles: set[str]) -> bool:
    """Administrative actions (reassigning a task, handing someone's cases over,
    resetting two-factor sign-in): scheme administrators, and a superuser, who has no
    groups. A superuser does NOT count as reviewer, approver or finance staff: the four
    eyes of a decision and of a payment hold for them too (user_has_role is False)."""
    return bool(user is not None and user.is_authenticated and (user.is_superuser or Role.SCHEME_ADMIN.value in roles))


def user_administers_scheme(user: Any) -> bool:
    """roles_administer_scheme, reading the user's roles (one query, none for a superuser)."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user_has_role(user, Role.SCHEME_ADMIN))


def user_is_staff_member(user: Any) -> bool:
    """Scheme staff: any of the staff roles."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.groups.filter(name__in=[r.value for r in STAFF_ROLES]).exists())


def user_roles(user: Any) -> set[str]:
    """The names of the user's role groups, in one query that also reads the schemes the
    account is limited to (schemes_served_by then asks nothing more)."""
    if user is None or not user.is_authenticated:
        return set()
    from subsidy.models.staff_scopes import StaffScope  # the models ask this module

    groups = user.groups.values_list("name", Value(None, output_field=IntegerField()))
    scopes = StaffScope.objects.filter(user=user).values_list(Value("", output_field=CharField()), "scheme_id")
    rows = list(groups.union(scopes, all=True))
    user._subsidy_scheme_ids = frozenset(scheme_id for name, scheme_id in rows if scheme_id is not None) or None
    return {name for name, scheme_id in rows if scheme_id is None}


def roles_see_finance(user: Any, roles: set[str]) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or roles & FINANCE_VIEWERS))
