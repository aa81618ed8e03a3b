import pytest
from django.urls import reverse

from subsidy.models import Role
from tests.factories import ApplicationFactory, UserFactory, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    user = UserFactory(role=Role.REVIEWER)
    client.force_login(user)
    return user


def test_staff_see_submitted_claims_not_drafts_with_constant_queries(client, reviewer, django_assert_num_queries):
    submitted = [submitted_application() for _ in range(4)]
    ApplicationFactory()  # a draft stays private to its applicant
    # session, user, staff-role check, count, page of applications (joined)
    with django_assert_num_queries(5):
        response = client.get(reverse("staff:application_list"))
    assert response.status_code == 200
    assert {a.pk for a in response.context["page"]} == {a.pk for a in submitted}
    for application in submitted:
        assert application.reference in response.content.decode()


def test_staff_filter_by_status(client, reviewer):
    submitted_application()
    response = client.get(reverse("staff:application_list"), {"status": "withdrawn"})
    assert list(response.context["page"]) == []


def test_staff_open_a_claim_with_checklist_amount_documents_and_history(client, reviewer):
    application = submitted_application()
    response = client.get(reverse("staff:application_detail", kwargs={"pk": application.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert application.reference in page
    assert len(response.context["results"]) == 12
    assert response.context["amount"].amount == application.requested_amount
    assert list(response.context["history"].values_list("transition", flat=True)) == ["submit"]
    document = application.documents.first()
    download = client.get(reverse("staff:document_download", kwargs={"pk": application.pk, "document_pk": document.pk}))
    assert download.status_code == 200


def test_staff_cannot_open_drafts(client, reviewer):
    draft = ApplicationFactory()
    assert client.get(reverse("staff:application_detail", kwargs={"pk": draft.pk})).status_code == 404


def test_admin_pages_load_for_the_scheme_admin(admin_client):
    submitted_application()
    for name in ["application", "applicant", "fundinground", "auditentry", "exchangerate", "hkpatent"]:
        assert admin_client.get(reverse(f"admin:subsidy_{name}_changelist")).status_code == 200
