"""Application transitions as API actions: the names of subsidy.commands, each the
same service as the web page runs."""

from __future__ import annotations

from typing import Any

from subsidy.commands import COMMANDS
from subsidy.models import Application
from subsidy.people import Actor

TRANSITION_NAMES = list(COMMANDS)


def available_transitions(application: Application, user: Any) -> list[str]:
    """The API transitions the user may run now: the state allows them, their conditions
    hold and the user has the permission. Lapsing and payments are not run through here."""
    names = [
        t.name
        for t in application.get_available_user_status_transitions(user)  # type: ignore[attr-defined]
        if t.name in COMMANDS
    ]
    return names


def run_transition(name: str, application: Application, by: Actor, data: dict[str, Any], ip: str | None) -> None:
    COMMANDS[name](application, by, data, ip)
