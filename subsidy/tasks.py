"""Background work (django-tasks). Enqueued with transaction.on_commit by services."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from subsidy.models import Application


@task()
def send_submission_receipt(application_id: int, language: str) -> None:
    application = Application.objects.select_related("applicant", "patent", "funding_round", "created_by").get(
        pk=application_id
    )
    recipients = sorted({e for e in (application.applicant.email, application.created_by.email) if e})
    with translation.override(language):
        context = {"application": application}
        subject = render_to_string("emails/submission_receipt_subject.txt", context).strip()
        body = render_to_string("emails/submission_receipt.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
