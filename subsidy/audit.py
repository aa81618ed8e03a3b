"""Every FSM transition, on any model, appends exactly one audit row.

The row is written in the same database transaction as the state change: the
transition's keyword arguments `by`, `ip` and `comment` say who, from where and
why; `changes` records the fields the transition itself set, and `audit_facts`
(a dict) anything else the service records with the change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.dispatch import receiver
from django_fsm.signals import post_transition, pre_transition

from subsidy.models.audit import AuditEntry


class TransitionOutsideTransaction(RuntimeError):
    pass


def field_values(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | Decimal):
        return str(value)
    return value


@receiver(pre_transition)
def _remember_fields(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not transaction.get_connection().in_atomic_block:
        # A state change and its audit row must commit together or not at all.
        raise TransitionOutsideTransaction(f"{kwargs['name']} must run inside transaction.atomic()")
    instance._audit_before = field_values(instance)  # type: ignore[attr-defined]


@receiver(post_transition)
def _write_audit_row(
    sender: type[models.Model],
    instance: models.Model,
    name: str,
    source: str,
    target: str,
    method_kwargs: dict[str, Any],
    **kwargs: Any,
) -> None:
    if kwargs.get("exception") is not None:
        return
    before: dict[str, Any] = getattr(instance, "_audit_before", {})
    after = field_values(instance)
    changes = diff(before, after)
    # What the service adds to the row, beyond the fields the transition set (e.g. the
    # claim as it was when information was requested).
    changes.update(method_kwargs.get("audit_facts") or {})
    audit_record(
        subject=instance,
        actor=method_kwargs.get("by"),
        action=name,
        from_state=str(source),
        to_state=str(target),
        comment=method_kwargs.get("comment", ""),
        ip=method_kwargs.get("ip"),
        changes=changes,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [_jsonable(before.get(key)), _jsonable(value)] for key, value in after.items() if before.get(key) != value
    }


def audit_record(
    *,
    subject: models.Model,
    actor: Any,
    action: str,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    ip: str | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row. Transitions call this through the signal above; services
    call it directly for audited changes that are not state changes (e.g. bank details)."""
    return AuditEntry.objects.create(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        actor=actor if actor is not None and actor.is_authenticated else None,
        transition=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        ip_address=ip,
        changes=changes or {},
    )


# Edits outside the transitions: reference data and accounts changed on the admin pages.

# What an audit row says of a secret or sensitive value that changed, instead of the value.
CHANGED = "changed"


def audit_edit(
    *, subject: models.Model, before: dict[str, Any], after: dict[str, Any], actor: Any, action: str, ip: str | None
) -> AuditEntry | None:
    """One row with every value that differs, before and after (an empty `before` is a
    creation, an empty `after` a deletion); none when nothing changed. A password hash is
    never recorded, only that it changed."""
    keys = after.keys() if after else before.keys()
    changes: dict[str, Any] = {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in keys
        if before.get(key) != after.get(key)
    }
    if "password" in changes:
        changes["password"] = CHANGED
    if not changes:
        return None
    return audit_record(subject=subject, actor=actor, action=action, ip=ip, changes=changes)


def account_facts(values: dict[str, Any]) -> dict[str, Any]:
    """What an audit row about an account's access compares, from model_to_dict of it:
    roles by name, flags, permissions, and the password hash (recorded only as changed)."""
    return {
        "username": values.get("username"),
        "email": values.get("email"),
        "is_active": values.get("is_active"),
        "is_staff": values.get("is_staff"),
        "is_superuser": values.get("is_superuser"),
        "roles": sorted(group.name for group in values.get("groups") or []),
        "permissions": sorted(permission.codename for permission in values.get("user_permissions") or []),
        "password": values.get("password"),
    }
