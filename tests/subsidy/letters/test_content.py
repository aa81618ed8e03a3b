import datetime as dt
from decimal import Decimal

import pytest

from subsidy.letters.content import LetterContent, amount_in_words, mask_account
from subsidy.letters.samples import sample_letter
from subsidy.models import LetterKind


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("12345.67", "人民币壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("10000", "人民币壹万元整"),
        ("1010.05", "人民币壹仟零壹拾元零伍分"),
        ("100001.00", "人民币壹拾万零壹元整"),
        ("0.50", "人民币伍角"),
        ("9999.995", "人民币壹万元整"),  # rounded half up to cents first, never truncated
    ],
)
def test_amount_in_chinese_capital_numerals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_a_negative_amount_has_no_words():
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(Decimal("-1"))


def test_bank_accounts_show_only_their_last_four_digits():
    assert mask_account("6222 0212 3456 7890") == "**** 7890"
    assert mask_account("") == ""


def test_content_survives_its_json_snapshot_exactly():
    for kind in (LetterKind.APPROVAL, LetterKind.REJECTION):
        content = sample_letter(7, kind=kind)
        again = LetterContent.from_json(content.to_json())
        assert again == content
        assert again.to_json() == content.to_json()
    assert isinstance(again.costs[0].paid_on, dt.date)


def test_sample_letters_differ_and_repeat():
    assert sample_letter(1) == sample_letter(1)
    assert len({sample_letter(n).applicant_name for n in range(50)}) > 30
