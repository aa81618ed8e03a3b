"""What every service checks before a transition, in one place: the state (and the
transition's conditions) allow it, and the person may do it. Refusals say which:
InvalidState (HTTP 409, "not now") or NotPermitted (HTTP 403, "not you")."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django_fsm import can_proceed, has_transition_perm

from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.models.applications import condition_refusal
from subsidy.people import Actor


def transition_guard(
    instance: Any,
    method: Any,
    by: Actor | None,
    *,
    not_now: str | Promise,
    not_yours: str | Promise,
    system: bool = False,
) -> None:
    """Refuse `method` on `instance` unless its state allows it now and `by` holds its
    permission. A failing condition that has a refusal of its own (CONDITION_REFUSALS)
    is named instead of `not_now`. `system`: `by` None is a scheduled job, which may."""
    if not can_proceed(method):
        refusal = condition_refusal(instance, method) if can_proceed(method, check_conditions=False) else None
        raise InvalidState(refusal or not_now)
    if by is None:
        if system:
            return
        raise NotPermitted(not_yours)
    if not has_transition_perm(method, by):
        raise NotPermitted(not_yours)
