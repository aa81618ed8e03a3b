"""The commands people run on a claim, by name: each runs one service, which checks
state (InvalidState) and role (NotPermitted) and writes the audit row. The API's
transition endpoint (subsidy.api.transitions) and the staff task pages
(workflows.task_views) both run these, so a command behaves the same whichever way
it is asked for. A command takes the claim, who acts, the input (the API's JSON or a
form's cleaned data) and the client's address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from subsidy.models import Application
from subsidy.people import Actor
from subsidy.services import applications as application_services
from subsidy.services import reviews

Command = Callable[[Application, Actor, dict[str, Any], "str | None"], Any]


def _required(data: dict[str, Any], *names: str) -> None:
    # Only what is absent: the service itself words what is present but wrong (a blank
    # message, a past deadline), all fields at once.
    missing = {name: _("This field is required.") for name in names if data.get(name) is None}
    if missing:
        raise ValidationError(missing)


def _request_info(app: Application, by: Actor, data: dict[str, Any], ip: str | None) -> Any:
    _required(data, "message", "deadline")
    return reviews.application_request_info(
        application=app, by=by, message=data["message"], deadline=data["deadline"], ip=ip
    )


def _recommend(app: Application, by: Actor, data: dict[str, Any], ip: str | None) -> Any:
    _required(data, "recommendation")
    return reviews.application_recommend(
        application=app,
        by=by,
        recommendation=data["recommendation"],
        amount=data.get("amount"),
        reason=data.get("reason", ""),
        ip=ip,
    )


COMMANDS: dict[str, Command] = {
    "submit": lambda app, by, data, ip: application_services.application_submit(application=app, by=by, ip=ip),
    # `comment` was the reply's name before `reply` existed; older clients still send it.
    "resubmit": lambda app, by, data, ip: application_services.application_resubmit(
        application=app, by=by, ip=ip, reply=data.get("reply") or data.get("comment", "")
    ),
    "withdraw": lambda app, by, data, ip: application_services.application_withdraw(
        application=app, by=by, ip=ip, comment=data.get("comment", "")
    ),
    "start_review": lambda app, by, data, ip: reviews.application_start_review(application=app, by=by, ip=ip),
    "request_info": _request_info,
    "recommend": _recommend,
    "return_to_review": lambda app, by, data, ip: reviews.application_return_to_review(
        application=app, by=by, comment=data.get("comment", ""), ip=ip
    ),
    "approve": lambda app, by, data, ip: reviews.application_approve(
        application=app, by=by, comment=data.get("comment", ""), ip=ip
    ),
    "reject": lambda app, by, data, ip: reviews.application_reject(
        application=app, by=by, reason=data.get("reason", ""), ip=ip
    ),
    "reopen": lambda app, by, data, ip: reviews.application_record_objection(
        application=app, by=by, objection=data.get("objection", ""), ip=ip
    ),
}


def preset(command: Command, **fixed: Any) -> Command:
    """The command with some of its input fixed, e.g. a page's "recommend approval" button."""
    return lambda app, by, data, ip: command(app, by, {**data, **fixed}, ip)
