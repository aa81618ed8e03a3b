"""Application transitions as API actions: each name runs the same service as the
web page, which checks state (409) and role (403) and writes the audit row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.models import Application
from subsidy.services import applications as application_services
from subsidy.services import reviews

Runner = Callable[[Application, Any, dict[str, Any], "str | None"], Any]


def _required(data: dict[str, Any], *names: str) -> None:
    missing = {name: _("This field is required.") for name in names if data.get(name) in (None, "")}
    if missing:
        raise ValidationError(missing)


def _request_info(app: Application, by: Any, data: dict[str, Any], ip: str | None) -> Any:
    _required(data, "message", "deadline")
    return reviews.application_request_info(
        application=app, by=by, message=data["message"], deadline=data["deadline"], ip=ip
    )


def _recommend(app: Application, by: Any, data: dict[str, Any], ip: str | None) -> Any:
    _required(data, "recommendation")
    return reviews.application_recommend(
        application=app,
        by=by,
        recommendation=data["recommendation"],
        amount=data.get("amount"),
        reason=data.get("reason", ""),
        ip=ip,
    )


RUNNERS: dict[str, Runner] = {
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
TRANSITION_NAMES = list(RUNNERS)


def available_transitions(application: Application, user: Any) -> list[str]:
    """The API transitions the user may run now: the state allows them, their conditions
    hold and the user has the permission. Lapsing and payments are not run through here."""
    names = [
        t.name
        for t in application.get_available_user_status_transitions(user)  # type: ignore[attr-defined]
        if t.name in RUNNERS
    ]
    if "reopen" in names and not application.notice_open(timezone.localdate()):
        names.remove("reopen")
    return names


def run_transition(name: str, application: Application, by: Any, data: dict[str, Any], ip: str | None) -> None:
    RUNNERS[name](application, by, data, ip)
