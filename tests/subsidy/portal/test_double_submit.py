"""A double-clicked "submit" on the applicant's review page: one submission, one
reference, one receipt, whether the clicks arrive one after the other or at once."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from subsidy.models import Application, ApplicationStatus, AuditEntry, PatentClaim
from tests.double_clicks import at_once
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def submit(application):
    client = Client()
    client.force_login(application.created_by)
    return client.post(reverse("portal:claim_review", kwargs={"pk": application.pk}))


def assert_submitted_once(application):
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert AuditEntry.objects.for_object(application).filter(transition="submit").count() == 1
    assert PatentClaim.objects.filter(application=application).count() == 1
    assert Application.objects.exclude(reference=None).count() == 1
    assert len([m for m in mail.outbox if application.reference in m.subject + m.body]) == 1


def test_two_submits_one_after_the_other_submit_once():
    application = ApplicationFactory()
    first, second = submit(application), submit(application)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("portal:application_detail", kwargs={"pk": application.pk})
    assert_submitted_once(application)


def test_two_submits_at_once_submit_once():
    application = ApplicationFactory()
    responses = at_once(lambda: submit(application), lambda: submit(application))
    # Neither click errors: the loser is sent to the claim's page with the reason.
    assert [r.status_code for r in responses] == [302, 302]
    assert_submitted_once(application)
