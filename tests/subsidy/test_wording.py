"""Words the pages take from stored values, in the reader's language: history rows of a
letter, the task a history row concerns, a batch's selection, a round's name, the
sign-in error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from subsidy.models import AuditEntry, FundingRound
from subsidy.models.rounds import round_name_shown
from subsidy.templatetags.subsidy_tags import batch_selection, state_label
from tests.factories import FundingRoundFactory, UserFactory


def test_a_letter_history_row_speaks_of_the_letters_states():
    with translation.override("en"):
        assert state_label("pending", "letter_issued") == "Being generated"
        assert state_label("issued", "letter_issued") == "Issued"
        assert state_label("submitted", "submit") == "Submitted"
    with translation.override("zh-hans"):
        assert state_label("pending", "letter_requested") not in ("pending", "Being generated")


def test_a_batch_selection_is_shown_in_words():
    stored = "round=demo-2026 city=shenzhen approved>=2026-11-01 approved<=2026-11-30"
    with translation.override("en"):
        shown = batch_selection(stored).split("; ")
        assert [part.split(" ")[:3] for part in shown] == [
            ["round", "demo-2026"],
            ["city", "Shenzhen"],
            ["approved", "on", "or"],
            ["approved", "on", "or"],
        ]
        assert "2026-11-01" not in shown[2]  # a date in the page's format
        assert batch_selection("") == "every payable claim"
        assert batch_selection("all payable") == "every payable claim"  # batches built before 2026-12
    with translation.override("zh-hans"):
        assert "approved" not in batch_selection(stored)
        assert batch_selection("") != "every payable claim"


def test_a_rounds_name_in_each_language():
    assert round_name_shown("2026 年度香港标准专利资助", "") == "2026 年度香港标准专利资助"
    with translation.override("en"):
        assert round_name_shown("2026 年度香港标准专利资助", "2026 HK patents") == "2026 HK patents"
        assert round_name_shown("2026 年度香港标准专利资助", "") == "2026 年度香港标准专利资助"
    with translation.override("zh-hant"):
        assert round_name_shown("2026 年度香港标准专利资助", "2026 HK patents") == "2026 年度香港標準專利資助"
    with translation.override("zh-hans"):
        assert round_name_shown("2026 年度香港标准专利资助", "2026 HK patents") == "2026 年度香港标准专利资助"


@pytest.mark.django_db
def test_a_round_is_named_in_the_readers_language_in_forms_and_pages():
    funding_round = FundingRoundFactory(name="2026 年度香港标准专利资助", name_en="2026 HK patents")
    with translation.override("zh-hant"):
        assert str(FundingRound.objects.get(pk=funding_round.pk)) == "2026 年度香港標準專利資助"
    with translation.override("en"):
        assert funding_round.display_name == "2026 HK patents"


@pytest.mark.django_db
def test_the_sign_in_error_speaks_of_the_email_not_a_username(client):
    UserFactory(username="someone@example.cn")
    response = client.post(
        reverse("login"), {"username": "someone@example.cn", "password": "wrong"}, headers={"accept-language": "en"}
    )
    text = response.content.decode()
    assert "Unable to sign in with this email and password." in text
    assert "correct username" not in text and "Please enter a correct" not in text


@pytest.mark.django_db
def test_a_task_history_row_is_titled_in_the_readers_language():
    from workflows.templatetags.workflow_tags import history_comment

    entry = AuditEntry(transition="task_unassigned", comment="Away until Monday.", changes={"task": "review"})
    with translation.override("en"):
        assert history_comment(entry) == "Review: Away until Monday."
    with translation.override("zh-hans"):
        assert not history_comment(entry).startswith("Review")
    assert history_comment(AuditEntry(transition="submit", comment="x")) == "x"
