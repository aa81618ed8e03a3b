"""Every email the engine sends, in one place.

Services call the `notify_*` helpers, which enqueue a background task once the
transaction commits; the tasks (subsidy.tasks) stay thin and call the `*_send`
functions here, which build and send the email.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language

from subsidy.claim_changes import latest_answer
from subsidy.models import Application, AuditEntry
from subsidy.models.applicants import applicant_field_label

if TYPE_CHECKING:
    from subsidy.models.applicant_changes import ApplicantChange

# Emails to the applicant, by template name under templates/emails/.
APPLICANT_EMAILS = {"submission_receipt", "information_requested", "approved", "rejected", "paid", "payment_returned"}

APPLICANT_CHANGE_EMAILS = {"held", "applied", "refused"}


# Enqueued by services, once the transaction commits.


def notify_applicant(application: Application, template: str) -> None:
    """Email the applicant once the transaction commits, in the language they submitted
    in (else the language of this request)."""
    from subsidy.tasks import send_applicant_email

    language = application.language or get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_applicant_email.enqueue(application.pk, template, language))


def notify_change(change: ApplicantChange, template: str) -> None:
    from subsidy.tasks import send_applicant_change_email

    language = get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_applicant_change_email.enqueue(change.pk, template, language))


def notify_reviewer_of_resubmission(application: Application) -> None:
    """Tell the case's reviewer, once the transaction commits, that the applicant has
    answered their request."""
    from subsidy import tasks

    transaction.on_commit(lambda: tasks.notify_reviewer_of_resubmission.enqueue(application.pk))


# Run by the background tasks.


def applicant_email_send(application_id: int, template: str, language: str) -> None:
    """Email the applicant (and the account that filed the claim) in the language it was filed in."""
    if template not in APPLICANT_EMAILS:
        raise ValueError(f"unknown email template {template!r}")
    application = (
        Application.objects.select_related("applicant", "patent", "funding_round", "created_by")
        .prefetch_related("information_requests")
        .get(pk=application_id)
    )
    recipients = sorted({e for e in (application.applicant.email, application.created_by.email) if e})
    with translation.override(language):
        context = {"application": application, "request": application.information_requests.first()}
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def applicant_change_email_send(change_id: int, template: str, language: str) -> None:
    """Tell the applicant (and every account acting for it) what happens to a change of
    their identity or bank details; never the new values themselves."""
    from subsidy.models.applicant_changes import ApplicantChange

    if template not in APPLICANT_CHANGE_EMAILS:
        raise ValueError(f"unknown email template {template!r}")
    change = ApplicantChange.objects.select_related("applicant").get(pk=change_id)
    applicant = change.applicant
    recipients = sorted(
        {
            applicant.email,
            *applicant.access.filter(user__is_active=True, revoked_at__isnull=True).values_list(
                "user__email", flat=True
            ),
        }
        - {""}
    )
    with translation.override(language):
        labels = [applicant_field_label(name) for name in change.fields]
        context = {"change": change, "fields": ", ".join(labels)}
        subject = render_to_string(f"emails/applicant_change_{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/applicant_change_{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def review_sla_digest_send() -> int:
    """Daily email to the reviewers' group listing claims past the review target."""
    from django.contrib.auth import get_user_model

    from subsidy.models import Role
    from subsidy.selectors import overdue_applications

    overdue = list(overdue_applications(timezone.now()))
    if not overdue:
        return 0
    recipients = sorted(
        get_user_model()
        .objects.filter(groups__name=Role.REVIEWER.value, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {"applications": overdue, "now": timezone.now()}
        subject = render_to_string("emails/review_sla_digest_subject.txt", context).strip()
        body = render_to_string("emails/review_sla_digest.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(overdue)


def resubmission_email_send(application_id: int) -> None:
    """Tell the case's reviewer that the applicant has answered their request; never
    someone whose account is deactivated (they have left: the staff accounts page shows
    the tasks they still hold, for a hand-over)."""
    application = Application.objects.select_related("reviewer", "applicant").get(pk=application_id)
    reviewer = application.reviewer
    if reviewer is None or not reviewer.is_active or not reviewer.email:
        return
    last_resubmission = AuditEntry.objects.for_object(application).filter(transition="resubmit").order_by("-at", "-id")
    with translation.override(settings.LANGUAGE_CODE):
        # The applicant's reply and what changed, as the case page shows them.
        context = {"application": application, "answer": latest_answer(last_resubmission[:1])}
        subject = render_to_string("emails/resubmitted_subject.txt", context).strip()
        body = render_to_string("emails/resubmitted.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reviewer.email])
