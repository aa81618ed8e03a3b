from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from subsidy.models import ApplicationStatus

register = template.Library()

ACTION_LABELS = {
    "submit": _("Claim submitted"),
    "withdraw": _("Claim withdrawn"),
    "start_review": _("Review started"),
    "request_info": _("More information requested"),
    "resubmit": _("Claim resubmitted"),
    "lapse": _("Claim lapsed"),
    "recommend": _("Recommendation made"),
    "return_to_review": _("Returned to review"),
    "approve": _("Claim approved"),
    "reject": _("Claim rejected"),
    "reopen": _("Reopened after an objection"),
    "conflict_declared": _("Conflict of interest declaration"),
    "applicant_create": _("Profile created"),
    "applicant_update": _("Profile changed"),
}


@register.filter
def status_label(value: str) -> str:
    """The people's name of a stored status value, in the current language."""
    try:
        return str(ApplicationStatus(value).label)
    except ValueError:
        return value


@register.filter
def action_label(value: str) -> str:
    return str(ACTION_LABELS.get(value, value))
