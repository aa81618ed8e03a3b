"""The applicant chooses the language of the emails about a claim on its page
(subsidy.services.applications.application_email_language_set)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from subsidy.exceptions import NotPermitted
from subsidy.models import Application, AuditEntry, Role
from subsidy.services import reviews
from subsidy.services.applications import application_email_language_set
from tests.factories import (
    UserFactory,
    checklist_confirmed,
    cleared_approver,
    in_review,
    staff_member,
    submitted_application,
)

pytestmark = pytest.mark.django_db


def language_url(application):
    return reverse("portal:application_email_language", args=[application.pk])


def test_the_applicant_switches_the_emails_of_a_claim_to_english(client, django_capture_on_commit_callbacks):
    with translation.override("zh-hans"):
        application, reviewer = in_review()
    assert application.language == "zh-hans"
    client.force_login(application.created_by)
    page = client.get(reverse("portal:application_detail", args=[application.pk])).content.decode()
    assert f'action="{language_url(application)}"' in page
    assert '<option value="zh-hans" selected>' in page

    response = client.post(language_url(application), {"language": "en"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:application_detail", args=[application.pk])
    application.refresh_from_db()
    assert application.language == "en"
    entry = AuditEntry.objects.for_object(application).latest("id")
    assert (entry.transition, entry.actor, entry.changes) == (
        "email_language_set",
        application.created_by,
        {"language": ["zh-hans", "en"]},
    )

    checklist_confirmed(application, reviewer)
    reviews.application_recommend(application=application, by=reviewer, recommendation="approve")
    with translation.override("zh-hant"), django_capture_on_commit_callbacks(execute=True):
        reviews.application_approve(application=application, by=cleared_approver(application))
    assert mail.outbox[-1].subject == f"Claim {application.reference} approved"


def test_only_a_language_offered_and_only_on_ones_own_claim(client):
    application = submitted_application()
    with pytest.raises(ValidationError) as refused:
        application_email_language_set(application=application, by=application.created_by, language="fr")
    assert "language" in refused.value.error_dict
    for stranger in (UserFactory(), staff_member(Role.REVIEWER)):
        with pytest.raises(NotPermitted):
            application_email_language_set(application=application, by=stranger, language="en")
        client.force_login(stranger)
        assert client.post(language_url(application), {"language": "en"}).status_code == 404
    client.force_login(application.created_by)
    client.post(language_url(application), {"language": "fr"})
    assert Application.objects.get(pk=application.pk).language == application.language
    assert not AuditEntry.objects.filter(transition="email_language_set").exists()
