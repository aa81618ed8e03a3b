"""The demo data of `make run` tells the whole story: claims in every state across cities,
a reconciled and a released batch, issued letters, and a banner saying where to start."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from subsidy.demo import load_demo
from subsidy.demo_data import DEMO_ACCOUNTS, DEMO_BATCH, DEMO_PAID_BATCH, DEMO_PASSWORD
from subsidy.models import (
    Application,
    ApplicationStatus,
    Batch,
    BatchLine,
    BatchStatus,
    InformationRequest,
    Letter,
    LetterStatus,
    LineStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()


def test_claims_in_every_state_across_cities(demo):
    assert Application.objects.count() >= 30
    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert Application.objects.values("applicant__city").distinct().count() >= 6
    lapsed = Application.objects.get(status=ApplicationStatus.LAPSED)
    assert InformationRequest.objects.get(application=lapsed).lapsed_at is not None


def test_loading_twice_adds_nothing(demo):
    counts = (Application.objects.count(), Batch.objects.count(), Letter.objects.count())
    load_demo()
    assert (Application.objects.count(), Batch.objects.count(), Letter.objects.count()) == counts


def test_decided_demo_claims_have_their_letters_and_the_batch_quotes_them(demo):
    decided = Application.objects.filter(
        status__in=[
            ApplicationStatus.APPROVED,
            ApplicationStatus.IN_PAYMENT,
            ApplicationStatus.PAID,
            ApplicationStatus.REJECTED,
        ]
    )
    assert decided.count() >= 15
    for application in decided:
        assert application.letters.get().status == LetterStatus.ISSUED
    lines = BatchLine.objects.filter(batch__reference=DEMO_BATCH)
    assert lines.exists()
    assert all(line.letter_reference.endswith("-A1") for line in lines)
    assert not Letter.objects.filter(status=LetterStatus.PENDING).exists()


def test_a_reconciled_batch_with_a_returned_payment_paid_again_in_the_released_one(demo):
    paid_batch = Batch.objects.get(reference=DEMO_PAID_BATCH)
    assert paid_batch.status == BatchStatus.RECONCILED
    assert paid_batch.exports.exists() and paid_batch.bank_returns.exists()
    failed = paid_batch.lines.get(status=LineStatus.FAILED)
    assert paid_batch.lines.filter(status=LineStatus.PAID).count() == paid_batch.line_count - 1
    released = Batch.objects.get(reference=DEMO_BATCH)
    assert released.status == BatchStatus.RELEASED
    assert released.lines.filter(application_id=failed.application_id, status=LineStatus.PENDING).exists()
    # Some approved claims have finished their notice and wait for the next batch.
    assert Application.objects.payable(timezone.localdate()).exists()


def test_the_banner_lists_the_site_and_every_account(demo, capsys):
    call_command("demo_accounts")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and DEMO_PASSWORD in out
    for email, _role in DEMO_ACCOUNTS:
        assert email in out
    assert "/staff/queue/" in out and "/staff/batches/" in out
