import pytest
from django.urls import reverse

from subsidy.models import Role
from tests.factories import ApplicationFactory, UserFactory, submitted_application, update_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    user = UserFactory(role=Role.REVIEWER)
    client.force_login(user)
    return user


def test_staff_see_submitted_claims_not_drafts_with_constant_queries(client, reviewer, django_assert_num_queries):
    submitted = [submitted_application() for _ in range(4)]
    ApplicationFactory()  # a draft stays private to its applicant
    # session, user, staff-role check, count, page of applications (joined),
    # and the filter form's round and reviewer choices
    with django_assert_num_queries(7):
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
    for name in ["application", "applicant", "fundinground", "auditentry", "exchangerate", "patent"]:
        assert admin_client.get(reverse(f"admin:subsidy_{name}_changelist")).status_code == 200


def test_staff_list_filters_by_city_round_reviewer_and_overdue(client, reviewer):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import ApplicantFactory, UserFactory, in_review

    owner = UserFactory()
    guangzhou = submitted_application(created_by=owner, applicant=ApplicantFactory(city="guangzhou", owner=owner))
    taken, their_reviewer = in_review()
    update_claim(taken, submitted_at=timezone.now() - dt.timedelta(days=60))
    url = reverse("staff:application_list")

    def listed(**params):
        return {a.pk for a in client.get(url, params).context["page"]}

    assert listed(city="guangzhou") == {guangzhou.pk}
    assert listed(reviewer=their_reviewer.pk) == {taken.pk}
    assert listed(overdue="on") == {taken.pk}
    assert listed(funding_round=guangzhou.funding_round_id) == {guangzhou.pk}
    assert listed(status="under_review") == {taken.pk}
    assert listed(sort="submitted")  # sorting keeps every row
    page = client.get(url, {"overdue": "on"}).content.decode()
    assert taken.reference in page
    # The filters show what was chosen.
    page = client.get(url, {"city": "guangzhou", "reviewer": their_reviewer.pk}).content.decode()
    assert '<option value="guangzhou" selected>' in page
    assert f'<option value="{their_reviewer.pk}" selected>' in page
    assert '<select name="status" id="id_status"><option value="" selected>' in page


def test_staff_list_query_count_does_not_grow_with_rows(client, reviewer, django_assert_num_queries):
    from tests.factories import in_review

    for _ in range(2):
        in_review()
    with django_assert_num_queries(7):
        client.get(reverse("staff:application_list"), {"overdue": "on", "city": "shenzhen"})
    for _ in range(4):
        in_review()
    with django_assert_num_queries(7):
        client.get(reverse("staff:application_list"), {"overdue": "on", "city": "shenzhen"})


def test_documents_are_viewable_inline_by_staff_only(client, reviewer):
    application = submitted_application()
    document = application.documents.first()
    url = reverse("staff:document_view", kwargs={"pk": application.pk, "document_pk": document.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = client.get(reverse("staff:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert f'src="{url}"' in page
    client.force_login(application.created_by)
    assert client.get(url).status_code == 403


def test_scheme_admin_records_an_objection_from_the_case_page(client):
    from subsidy.models import Application, ApplicationStatus, Role
    from subsidy.services import reviews
    from tests.factories import UserFactory, awaiting_decision, cleared_approver

    application, reviewer = awaiting_decision()
    reviews.application_approve(application=application, by=cleared_approver(application))
    url = reverse("staff:application_detail", kwargs={"pk": application.pk})
    objection = reverse("staff:record_objection", kwargs={"pk": application.pk})

    client.force_login(reviewer)  # reviewers may not reopen a decision
    assert "objection_form" not in client.get(url).context
    assert client.post(objection, {"objection": "x"}).status_code == 403

    client.force_login(UserFactory(role=Role.SCHEME_ADMIN))
    assert "objection_form" in client.get(url).context
    assert client.post(objection, {"objection": ""}).status_code == 400
    response = client.post(objection, {"objection": "The patent belongs to someone else."})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW


def test_long_lists_say_more_than_the_cap_instead_of_counting_everything(client, reviewer, monkeypatch):
    monkeypatch.setattr("workflows.staff_views.COUNT_CAP", 2)
    for _ in range(3):
        submitted_application()
    response = client.get(reverse("staff:application_list"))
    assert response.context["page"].paginator.capped
    assert len(response.context["page"]) == 3
    monkeypatch.setattr("workflows.staff_views.COUNT_CAP", 3)
    assert not client.get(reverse("staff:application_list")).context["page"].paginator.capped


def test_a_stored_file_that_fails_todays_checks_is_only_a_download(client, reviewer):
    """Files stored before a check existed (here: a PDF with JavaScript written straight
    to storage) are never shown inline, whatever content type was recorded."""
    from django.core.files.base import ContentFile

    from tests.subsidy.test_uploads import REFUSED_PDFS

    application = submitted_application()
    document = application.documents.first()
    document.file.save("old-upload", ContentFile(REFUSED_PDFS["open action running JavaScript"][0]), save=True)
    url = reverse("staff:document_view", kwargs={"pk": application.pk, "document_pk": document.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


@pytest.mark.parametrize("url_name", ["staff:document_download", "portal:document_download"])
def test_downloads_are_attachments_never_sniffed_or_cached(client, url_name):
    application = submitted_application()
    document = application.documents.first()
    user = application.created_by if url_name.startswith("portal") else UserFactory(role=Role.AUDITOR)
    client.force_login(user)
    response = client.get(reverse(url_name, kwargs={"pk": application.pk, "document_pk": document.pk}))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Type"] == "application/pdf"


def test_private_files_are_not_reachable_through_static_or_media_urls(client, settings):
    """Evidence lives under PRIVATE_STORAGE_ROOT, outside the static root, and no URL
    serves that directory: the storage has no base URL and no media route exists."""
    from django.core.files.storage import default_storage

    application = submitted_application()
    document = application.documents.first()
    stored = settings.PRIVATE_STORAGE_ROOT / document.file.name
    assert stored.is_file()
    assert not str(stored).startswith(str(settings.STATIC_ROOT))
    assert not str(stored).startswith(str(settings.BASE_DIR / "static"))
    assert not getattr(settings, "WHITENOISE_ROOT", None)
    guesses = {default_storage.url(document.file.name), f"/media/{document.file.name}"}
    client.force_login(UserFactory(role=Role.SCHEME_ADMIN))
    for guess in guesses | {f"/static/{document.file.name}", f"/static/../private/{document.file.name}"}:
        assert client.get(guess).status_code == 404


def test_the_case_page_reads_the_same_number_of_queries_however_long_its_history(
    client, reviewer, django_assert_num_queries
):
    from subsidy.audit import audit_record

    short = submitted_application()
    long = submitted_application()
    for n in range(25):
        audit_record(subject=long, actor=reviewer, action="note", comment=f"note {n}")
    counts = []
    for application in (short, long):
        url = reverse("staff:application_detail", kwargs={"pk": application.pk})
        client.get(url)
        with django_assert_num_queries(13) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    # Roles are read once, by staff_required: no role is asked of the database again.
    assert not [q for q in captured.captured_queries if '"auth_group"."name" =' in q["sql"]]
    assert counts[0] == counts[1]
