"""Letters seen by the applicant (download) and by anyone holding one (verification)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subsidy.models import Role
from subsidy.services import reviews
from tests.factories import UserFactory, awaiting_decision, cleared_approver, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    with django_capture_on_commit_callbacks(execute=True):
        reviews.application_approve(application=application, by=cleared_approver(application))
    return application.letters.get()


def download_url(letter):
    return reverse("portal:letter_download", kwargs={"pk": letter.application_id, "letter_pk": letter.pk})


def test_the_applicant_downloads_their_letter_as_an_attachment(client, letter):
    client.force_login(letter.application.created_by)
    response = client.get(download_url(letter))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{letter.reference}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == letter.file.read()


def test_the_claim_page_lists_the_letter(client, letter):
    client.force_login(letter.application.created_by)
    page = client.get(reverse("portal:application_detail", kwargs={"pk": letter.application_id})).content.decode()
    assert letter.reference in page
    assert download_url(letter) in page


def test_nobody_else_downloads_it(client, letter):
    client.force_login(UserFactory())
    assert client.get(download_url(letter)).status_code == 404
    client.logout()
    assert client.get(download_url(letter)).status_code == 302  # to sign in


def test_a_letter_of_another_claim_is_not_reachable_through_ones_own(client, letter):
    other, _ = awaiting_decision()
    client.force_login(other.created_by)
    sneaky = reverse("portal:letter_download", kwargs={"pk": other.pk, "letter_pk": letter.pk})
    assert client.get(sneaky).status_code == 404


def test_staff_download_and_the_case_page(client, letter):
    client.force_login(staff_member(Role.REVIEWER))
    url = reverse("staff:letter_download", kwargs={"pk": letter.application_id, "letter_pk": letter.pk})
    assert client.get(url).status_code == 200
    page = client.get(reverse("staff:application_detail", kwargs={"pk": letter.application_id})).content.decode()
    assert letter.reference in page and url in page
    assert "Issue a corrected letter" not in page  # reviewers do not correct letters
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_verification_shows_reference_status_digest_and_name_only(client, letter):
    response = client.get(reverse("letter_verify", args=[letter.token]))
    page = response.content.decode()
    applicant = letter.application.applicant
    assert response.status_code == 200
    assert letter.reference in page and letter.sha256 in page and applicant.name in page
    assert "in force" in page
    for secret in (
        applicant.uscc,
        applicant.bank_account_number,
        applicant.bank_account_number[-4:],
        applicant.bank_name,
        applicant.phone,
        applicant.address,
        str(letter.application.approved_amount),
        letter.application.patent.number,
    ):
        assert secret not in page


def test_verification_of_the_issued_bytes_says_authentic(client, letter):
    copy = SimpleUploadedFile("letter.pdf", letter.file.read(), content_type="application/pdf")
    page = client.post(reverse("letter_verify", args=[letter.token]), {"file": copy}).content.decode()
    assert "Authentic" in page and "Not authentic" not in page


def test_a_tampered_copy_is_reported_not_authentic(client, letter):
    original = letter.file.read()
    tampered = original[:-10] + b"% tampered"  # one changed byte is enough
    copy = SimpleUploadedFile("letter.pdf", tampered, content_type="application/pdf")
    response = client.post(reverse("letter_verify", args=[letter.token]), {"file": copy})
    page = response.content.decode()
    assert "Not authentic" in page
    assert letter.sha256 in page


def test_verification_codes_are_forgiving_of_case_and_strict_otherwise(client, letter):
    assert client.get(reverse("letter_verify", args=[letter.token.lower()])).status_code == 200
    assert client.get(reverse("letter_verify", args=["ZZZZZZZZZZ"])).status_code == 404


def test_a_superseded_letter_points_to_its_correction(client, letter, django_capture_on_commit_callbacks):
    from subsidy.services.letters import letter_correct

    with django_capture_on_commit_callbacks(execute=True):
        new = letter_correct(letter=letter, by=staff_member(Role.SCHEME_ADMIN), reason="Name corrected.")
    page = client.get(reverse("letter_verify", args=[letter.token])).content.decode()
    assert "replaced by a corrected letter" in page and new.reference in page
    assert reverse("letter_verify", args=[new.token]) in page


def test_staff_correct_and_retry_through_the_case_page(client, letter, django_capture_on_commit_callbacks):
    client.force_login(staff_member(Role.APPROVER))
    page = client.get(reverse("staff:application_detail", kwargs={"pk": letter.application_id})).content.decode()
    assert "Issue a corrected letter" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:letter_correct", args=[letter.pk]), {"reason": "Title corrected."})
    assert response.status_code == 302
    assert letter.application.letters.filter(status="issued").get().version == 2
    client.force_login(staff_member(Role.REVIEWER))
    assert client.post(reverse("staff:letter_correct", args=[letter.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("staff:letter_retry", args=[letter.pk])).status_code == 403


def test_letters_needing_attention_are_listed_for_staff(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from subsidy.services import letters as letter_services

    applications = [awaiting_decision()[0] for _ in range(3)]
    for application in applications:
        with django_capture_on_commit_callbacks(execute=False):
            reviews.application_approve(application=application, by=cleared_approver(application))
    for application in applications:
        letter_services.letter_record_failure(letter_id=application.letters.get().pk, error="OSError: disk full")
    client.force_login(staff_member(Role.SCHEME_ADMIN))
    url = reverse("staff:letter_problems")
    # Session, user, roles (read once), the letters: the same for any number of letters.
    with django_assert_num_queries(4):
        response = client.get(url)
    page = response.content.decode()
    assert all(a.letters.get().reference in page for a in applications)
    assert "disk full" in page and "Retry now" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:letter_retry", args=[applications[0].letters.get().pk]), {"next": "problems"}
        )
    assert response["Location"] == url
    assert applications[0].letters.get().status == "issued"
    assert applications[0].letters.get().reference not in client.get(url).content.decode()
