"""Decision letters: requested with the decision, issued once by the worker, never changed."""

import hashlib
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from subsidy.exceptions import InvalidState, NotPermitted
from subsidy.letters.content import LetterContent
from subsidy.models import AuditEntry, Letter, LetterChinese, LetterKind, LetterStatus, Role
from subsidy.services import letters as letter_services
from subsidy.services import reviews
from subsidy.tasks import issue_letter
from tests.factories import (
    IndividualApplicantFactory,
    awaiting_decision,
    cleared_approver,
    staff_member,
)

pytestmark = pytest.mark.django_db


def approve(application, capture, execute=True):
    with capture(execute=execute):
        return reviews.application_approve(application=application, by=cleared_approver(application))


def letter_actions(application):
    return list(
        AuditEntry.objects.for_object(application)
        .filter(transition__startswith="letter_")
        .values_list("transition", flat=True)
    )


def test_approval_issues_a_letter_after_commit(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks)
    letter = application.letters.get()
    assert letter.kind == LetterKind.APPROVAL
    assert letter.status == LetterStatus.ISSUED
    assert letter.reference == f"{application.reference}-A1"
    pdf = letter.file.read()
    assert pdf.startswith(b"%PDF-")
    assert letter.sha256 == hashlib.sha256(pdf).hexdigest()
    assert letter.size == len(pdf)
    content = LetterContent.from_dict(letter.content)
    assert content.amount == Decimal("4000.00")
    assert content.applicant_name == application.applicant.name
    assert content.applicant_id == application.applicant.uscc
    assert [step.role_en for step in content.chain] == ["Reviewer", "Approver"]
    # In the letter's languages, whatever language the approver's pages were in.
    assert [(row.label_zh, row.label_en) for row in content.costs] == [("代理费", "Agency fee")]
    assert content.verify_url.endswith(f"/v/{letter.token}")
    assert letter_actions(application) == ["letter_requested", "letter_issued"]


def test_the_letter_waits_for_the_commit(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    assert application.letters.get().status == LetterStatus.PENDING


def test_a_rolled_back_approval_leaves_no_letter():
    application, _ = awaiting_decision()
    approver = cleared_approver(application)
    with pytest.raises(RuntimeError), transaction.atomic():
        reviews.application_approve(application=application, by=approver)
        raise RuntimeError("the approval failed later in its transaction")
    assert not Letter.objects.exists()


def test_issuing_twice_issues_one_letter(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    letter = application.letters.get()
    first = letter_services.letter_issue(letter_id=letter.pk)
    again = letter_services.letter_issue(letter_id=letter.pk)
    issue_letter.call(letter.pk)  # a retried job
    assert again.sha256 == first.sha256 and again.file.name == first.file.name
    assert Letter.objects.count() == 1
    assert letter_actions(application).count("letter_issued") == 1


def test_rejection_letter_carries_the_reasons(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    with django_capture_on_commit_callbacks(execute=True):
        reviews.application_reject(
            application=application, by=cleared_approver(application), reason="The patent is a short-term patent."
        )
    letter = application.letters.get()
    assert (letter.kind, letter.status, letter.reference) == (
        LetterKind.REJECTION,
        LetterStatus.ISSUED,
        f"{application.reference}-R1",
    )
    assert LetterContent.from_dict(letter.content).reasons == "The patent is a short-term patent."


def test_an_individual_is_named_with_their_identity_document(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    person = IndividualApplicantFactory.build()
    application.applicant.kind, application.applicant.id_kind = person.kind, person.id_kind
    application.applicant.id_number, application.applicant.uscc = person.id_number, ""
    content = letter_services.letter_content(application, kind=LetterKind.APPROVAL, reference="R", version=1, token="T")
    assert content.applicant_id == person.id_number
    assert content.applicant_id_label_en == "Resident identity card"
    assert content.applicant_id_label_zh not in ("", content.applicant_id_label_en)


def test_a_failed_generation_is_recorded_retried_later_and_visible(django_capture_on_commit_callbacks, monkeypatch):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    letter = application.letters.get()

    def broken(content):
        raise OSError("disk full")

    monkeypatch.setattr(letter_services, "render_letter", broken)
    queued = []
    monkeypatch.setattr(letter_services, "enqueue_letter", lambda pk, delay=None: queued.append((pk, delay)))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError):
        issue_letter.call(letter.pk)
    letter.refresh_from_db()
    assert (letter.status, letter.attempts) == (LetterStatus.PENDING, 1)
    assert "disk full" in letter.last_error
    assert queued == [(letter.pk, letter_services.dt.timedelta(minutes=1))]
    assert list(Letter.objects.stuck()) == [letter]

    monkeypatch.undo()
    issue_letter.call(letter.pk)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED


def test_retries_stop_after_the_configured_attempts(settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.LETTER_RETRY_MINUTES = [1]
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    letter = application.letters.get()
    queued = []
    monkeypatch.setattr(letter_services, "enqueue_letter", lambda pk, delay=None: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        letter_services.letter_record_failure(letter_id=letter.pk, error="x")
        letter_services.letter_record_failure(letter_id=letter.pk, error="y")
    assert queued == [letter.pk]  # one automatic retry; the rest waits for staff


def test_staff_retry_requires_an_approver_or_scheme_admin(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    letter = application.letters.get()
    with pytest.raises(NotPermitted):
        letter_services.letter_retry(letter=letter, by=staff_member(Role.REVIEWER))
    with django_capture_on_commit_callbacks(execute=True):
        letter_services.letter_retry(letter=letter, by=staff_member(Role.SCHEME_ADMIN))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED
    with pytest.raises(InvalidState):
        letter_services.letter_retry(letter=letter, by=staff_member(Role.SCHEME_ADMIN))


def test_a_correction_issues_a_new_version_and_supersedes_the_old(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks)
    first = application.letters.get()
    application.applicant.name_en = "Corrected English Name Ltd."
    application.applicant.save()
    admin = staff_member(Role.SCHEME_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        second = letter_services.letter_correct(letter=first, by=admin, reason="English name was wrong.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (LetterStatus.SUPERSEDED, LetterStatus.ISSUED)
    assert second.version == 2 and second.supersedes == first
    assert second.reference == f"{application.reference}-A2"
    content = LetterContent.from_dict(second.content)
    assert content.applicant_name_en == "Corrected English Name Ltd."
    assert content.supersedes == first.reference
    assert first.file.read() != second.file.read()
    assert letter_actions(application) == [
        "letter_requested",
        "letter_issued",
        "letter_requested",
        "letter_superseded",
        "letter_issued",
    ]


def test_corrections_need_a_reason_a_manager_and_the_letter_in_force(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks)
    letter = application.letters.get()
    with pytest.raises(NotPermitted):
        letter_services.letter_correct(letter=letter, by=staff_member(Role.REVIEWER), reason="x")
    with pytest.raises(Exception, match="correction"):
        letter_services.letter_correct(letter=letter, by=staff_member(Role.APPROVER), reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        letter_services.letter_correct(letter=letter, by=staff_member(Role.APPROVER), reason="typo")
    with pytest.raises(InvalidState):
        letter_services.letter_correct(letter=letter, by=staff_member(Role.APPROVER), reason="again")


def test_an_objection_revokes_the_letter(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.application_record_objection(
            application=application, by=staff_member(Role.SCHEME_ADMIN), objection="Ownership disputed."
        )
    letter = application.letters.get()
    assert letter.status == LetterStatus.REVOKED
    assert letter.sha256  # the issued file and its digest are kept
    assert letter_actions(application)[-1] == "letter_revoked"


def test_a_pending_letter_revoked_by_an_objection_is_never_issued(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    reviews.application_record_objection(
        application=application, by=staff_member(Role.SCHEME_ADMIN), objection="Ownership disputed."
    )
    letter = application.letters.get()
    letter_services.letter_issue(letter_id=letter.pk)
    letter.refresh_from_db()
    assert (letter.status, letter.file.name) == (LetterStatus.REVOKED, "")


def test_letters_only_for_decided_claims():
    application, _ = awaiting_decision()
    with pytest.raises(InvalidState), transaction.atomic():
        letter_services.letter_request(application=application, kind=LetterKind.APPROVAL, by=None)


def test_stalled_letters_are_queued_again(django_capture_on_commit_callbacks, monkeypatch):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    letter = application.letters.get()
    Letter.objects.filter(pk=letter.pk).update(requested_at=letter.requested_at - letter_services.dt.timedelta(hours=1))
    assert letter_services.letters_requeue_stalled() == 1
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED
    assert letter_services.letters_requeue_stalled() == 0


def test_the_database_keeps_an_issued_letter_unchanged(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks)
    letter = application.letters.get()
    for change in ({"sha256": "0" * 64}, {"file": "letters/other.pdf"}, {"status": LetterStatus.PENDING}):
        with pytest.raises(Exception, match="letter"), transaction.atomic():
            Letter.objects.filter(pk=letter.pk).update(**change)
    with pytest.raises(Exception, match="never deleted"), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).delete()
    assert Letter.objects.get(pk=letter.pk).sha256 == letter.sha256


def test_one_letter_in_force_per_claim(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks)
    letter = application.letters.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(
            application=application,
            kind=LetterKind.APPROVAL,
            version=9,
            reference="X-9",
            content={},
            status=LetterStatus.ISSUED,
            file="letters/x.pdf",
            sha256=letter.sha256,
        )


def test_payment_lines_quote_the_letter_in_force(django_capture_on_commit_callbacks):
    from subsidy.selectors import letter_reference_for

    application, _ = awaiting_decision()
    approve(application, django_capture_on_commit_callbacks, execute=False)
    assert letter_reference_for(application) == ""  # still being generated
    letter_services.letter_issue(letter_id=application.letters.get().pk)
    assert letter_reference_for(application) == f"{application.reference}-A1"


def test_a_lowered_amount_is_explained_in_the_letter(django_capture_on_commit_callbacks):
    import subprocess

    from tests.factories import checklist_confirmed, in_review

    application, reviewer = in_review()
    checklist_confirmed(application, reviewer)
    reviews.application_recommend(
        application=application,
        by=reviewer,
        recommendation="approve",
        amount=Decimal("3000.00"),
        reason="Agency invoice covers only part of the fee.",
    )
    approve(application, django_capture_on_commit_callbacks)
    letter = application.letters.get()
    content = LetterContent.from_dict(letter.content)
    assert (content.amount, content.calculated_amount, content.annual_cap_limit) == (
        Decimal("3000.00"),
        Decimal("4000.00"),
        None,
    )
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=letter.file.read(), capture_output=True, check=True
    ).stdout.decode()
    assert "Adjusted on review" in text and "Agency invoice covers only part of the fee." in text
    assert "人民币叁仟元整" in text


def test_an_applicant_who_chose_traditional_chinese_gets_a_traditional_letter(django_capture_on_commit_callbacks):
    application, _ = awaiting_decision()
    application.applicant.letter_chinese = LetterChinese.TRADITIONAL
    application.applicant.save()
    approve(application, django_capture_on_commit_callbacks)
    letter = application.letters.get()
    content = LetterContent.from_dict(letter.content)
    assert content.chinese == LetterChinese.TRADITIONAL
    assert [step.role_zh for step in content.chain] == ["審核人", "審批人"]
    assert content.applicant_id_label_zh == "統一社會信用代碼"
    assert all(row.label_zh in ("官費", "代理費", "翻譯費") for row in content.costs), content.costs
    assert content.amount_in_words.startswith("人民幣")
    # What people typed stays as typed.
    assert content.applicant_name == application.applicant.name
    assert content.patent_title == application.patent.title_zh
    assert letter.status == LetterStatus.ISSUED
