"""Answering an information request: the claim as it was when the reviewer asked, the
applicant's reply, what changed since, and the reviewer's email."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from subsidy.audit import audit_record
from subsidy.exceptions import NotPermitted
from subsidy.models import Application, ApplicationStatus, AuditEntry, CostItem
from subsidy.services import applications as applicant_side
from subsidy.services import documents as document_services
from subsidy.services import reviews
from subsidy.services.applications import REPLY_MAX_LENGTH
from tests.factories import UserFactory, in_review, pdf_upload, today

pytestmark = pytest.mark.django_db


def info_requested():
    application, reviewer = in_review()
    reviews.application_request_info(
        application=application, by=reviewer, message="Upload the P5 form.", deadline=today() + dt.timedelta(14)
    )
    return application, reviewer


def entry(application, transition):
    return AuditEntry.objects.for_object(application).filter(transition=transition).get()


def lower_the_agency_fee(application, amount="6000.00"):
    item = CostItem.objects.get(application=application)
    applicant_side.application_set_costs(
        application=application,
        by=application.created_by,
        items=[
            {
                "cost_type": item.cost_type,
                "amount": Decimal(amount),
                "currency": item.currency,
                "paid_on": item.paid_on,
                "receipt_number": item.receipt_number,
            }
        ],
    )


def test_the_request_keeps_the_claim_as_the_reviewer_saw_it():
    application, _ = info_requested()
    snapshot = entry(application, "request_info").changes["claim_at_request"]
    assert snapshot["amount"] == "4000.00"
    assert snapshot["patent"]["number"] == application.patent.number
    assert {d["name"] for d in snapshot["documents"]} == {"evidence.pdf"}
    assert len(snapshot["documents"]) == 3
    assert snapshot["costs"][0]["amount"] == "8000.00"
    # Full account numbers stay out of the audit trail.
    assert application.applicant.bank_account_number not in str(snapshot)


def test_resubmission_records_the_reply_and_what_changed_and_emails_both(django_capture_on_commit_callbacks):
    application, reviewer = info_requested()
    lower_the_agency_fee(application)
    document_services.document_upload(
        application=application, by=application.created_by, doc_type="other", upload=pdf_upload("p5-form.pdf")
    )
    with django_capture_on_commit_callbacks(execute=True):
        applicant_side.application_resubmit(
            application=application, by=application.created_by, reply="  The P5 form is attached.\nFee corrected.  "
        )
    resubmitted = entry(application, "resubmit")
    assert resubmitted.comment == "The P5 form is attached.\nFee corrected."
    changes = resubmitted.changes["since_request"]
    assert [(c["part"], c.get("change")) for c in changes] == [
        ("cost", "changed"),
        ("document", "added"),
        ("amount", None),
    ]
    assert changes[2] == {"part": "amount", "field": "requested_amount", "before": "4000.00", "after": "3000.00"}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.requested_amount == Decimal("3000.00")
    email = mail.outbox[-1]
    assert email.to == [reviewer.email]
    assert "The P5 form is attached.\nFee corrected." in email.body
    assert "p5-form.pdf" in email.body
    assert "→" in email.body


def test_nothing_changed_is_said_so():
    application, _ = info_requested()
    applicant_side.application_resubmit(application=application, by=application.created_by)
    resubmitted = entry(application, "resubmit")
    assert resubmitted.comment == ""
    assert resubmitted.changes["since_request"] == []


def test_a_reply_too_long_is_a_field_error_and_nothing_is_stored(django_capture_on_commit_callbacks):
    application, _ = info_requested()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as caught:
        applicant_side.application_resubmit(
            application=application, by=application.created_by, reply="x" * (REPLY_MAX_LENGTH + 1)
        )
    assert list(caught.value.error_dict) == ["reply"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INFO_REQUESTED
    assert not AuditEntry.objects.for_object(application).filter(transition="resubmit").exists()
    assert application.information_requests.get().answered_at is None
    assert not [m for m in mail.outbox if "resubmitted" in m.subject]


def test_a_reply_of_exactly_the_limit_after_trimming_is_accepted():
    application, _ = info_requested()
    applicant_side.application_resubmit(
        application=application, by=application.created_by, reply=" " + "答" * REPLY_MAX_LENGTH + "\n"
    )
    assert entry(application, "resubmit").comment == "答" * REPLY_MAX_LENGTH


def test_a_null_character_is_refused():
    application, _ = info_requested()
    with pytest.raises(ValidationError) as caught:
        applicant_side.application_resubmit(application=application, by=application.created_by, reply="a\x00b")
    assert list(caught.value.error_dict) == ["reply"]


def test_someone_who_may_not_resubmit_is_refused_before_their_reply_is_read():
    application, _ = info_requested()
    with pytest.raises(NotPermitted):
        applicant_side.application_resubmit(application=application, by=UserFactory(), reply="x" * 5000)


def test_a_request_made_before_snapshots_were_kept_records_no_changes(django_capture_on_commit_callbacks):
    application, reviewer = in_review()
    # The request as it was written before: the audit row has no snapshot.
    from subsidy.models import InformationRequest

    InformationRequest.objects.create(
        application=application, requested_by=reviewer, message="Old request", deadline=today() + dt.timedelta(5)
    )
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.INFO_REQUESTED)
    audit_record(subject=application, actor=reviewer, action="request_info", comment="Old request")
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        applicant_side.application_resubmit(application=application, by=application.created_by, reply="Done.")
    assert "since_request" not in entry(application, "resubmit").changes
    body = mail.outbox[-1].body
    assert "Done." in body
    assert "Changed since your request" not in body


def test_a_second_round_compares_with_the_second_request():
    application, reviewer = info_requested()
    lower_the_agency_fee(application)
    applicant_side.application_resubmit(application=application, by=application.created_by, reply="Fee corrected.")
    reviews.application_request_info(
        application=application, by=reviewer, message="And the receipt?", deadline=today() + dt.timedelta(14)
    )
    applicant_side.application_resubmit(application=application, by=application.created_by, reply="Nothing else.")
    rows = AuditEntry.objects.for_object(application).filter(transition="resubmit").order_by("at", "id")
    assert [r.comment for r in rows] == ["Fee corrected.", "Nothing else."]
    assert rows[0].changes["since_request"] != []
    assert rows[1].changes["since_request"] == []


def test_the_portals_send_button_passes_the_reply_only_to_a_resubmission():
    application, _ = info_requested()
    application.refresh_from_db()
    applicant_side.application_send(application=application, by=application.created_by, reply="Here it is.")
    assert entry(application, "resubmit").comment == "Here it is."
