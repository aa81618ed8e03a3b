import pytest
from django.urls import reverse

from subsidy.portal.steps import CLAIM_STEPS
from tests.factories import ApplicationFactory, submitted_application

pytestmark = pytest.mark.django_db

STEP_URLS = [step.url_name for step in CLAIM_STEPS]


@pytest.mark.parametrize("url_name", STEP_URLS)
def test_every_claim_step_renders_for_the_owner(client, url_name):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    response = client.get(reverse(url_name, kwargs={"pk": application.pk}))
    assert response.status_code == 200
    assert application.applicant.name in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["home", "login", "signup", "password_reset", "portal:application_list", "portal:applicant_list"]
)
def test_general_pages_render(client, url_name):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    if url_name in {"home", "login", "signup", "password_reset"}:
        client.logout()
    response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_submitted_application_shows_receipt(client):
    application = submitted_application()
    client.force_login(application.created_by)
    response = client.get(reverse("portal:application_detail", kwargs={"pk": application.pk}))
    assert response.status_code == 200
    assert application.reference in response.content.decode()
