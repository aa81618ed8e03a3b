"""The demo data of `make run` shows every feature, letters included."""

import pytest

from subsidy.demo import DEMO_BATCH, load_demo
from subsidy.models import Application, ApplicationStatus, BatchLine, Letter, LetterStatus

pytestmark = pytest.mark.django_db


def test_decided_demo_claims_have_their_letters_and_the_batch_quotes_them():
    load_demo()
    decided = Application.objects.filter(
        status__in=[ApplicationStatus.APPROVED, ApplicationStatus.IN_PAYMENT, ApplicationStatus.REJECTED]
    )
    assert decided.exists()
    for application in decided:
        assert application.letters.get().status == LetterStatus.ISSUED
    lines = BatchLine.objects.filter(batch__reference=DEMO_BATCH)
    assert lines.exists()
    assert all(line.letter_reference.endswith("-A1") for line in lines)
    assert not Letter.objects.filter(status=LetterStatus.PENDING).exists()
