"""Who acts: the type of the `by` of every service and of the user a permission asks about."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, overload

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # A signed-in person: the services record who acted (a foreign key to the user);
    # scheduled jobs pass None where a service allows it (`Actor | None`).
    Actor: TypeAlias = User | AnonymousUser
else:
    Actor = object


@overload
def signed_in(person: Actor) -> User: ...


@overload
def signed_in(person: None) -> None: ...


def signed_in(person: Actor | None) -> User | None:
    """The person as the account a record names (who uploaded, exported, asked …); None
    where a scheduled job or a command acts. The services' permission checks refuse
    anyone anonymous before; this refuses them too."""
    from django.utils.translation import gettext as _

    from subsidy.exceptions import NotPermitted

    if person is None:
        return None
    if not person.is_authenticated:
        raise NotPermitted(_("Sign in first."))
    return person
