"""`manage.py letter_preview` renders sample letters for template editors, without a database
(these tests have no database access: any query would fail them)."""

import subprocess

import pytest
from django.core.management import CommandError, call_command


def text_of(path):
    result = subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603
    return result.stdout


def test_preview_of_an_approval_with_a_given_name_and_amount(tmp_path):
    out = tmp_path / "letter.pdf"
    call_command("letter_preview", out=str(out), applicant_name="珠海市燊喆科技有限公司", amount="12345.67")
    text = text_of(out)
    assert "珠海市燊喆科技有限公司" in text
    assert "人民币壹万贰仟叁佰肆拾伍元陆角柒分" in text
    assert "12,345.67" in text


def test_preview_of_a_rejection(tmp_path):
    out = tmp_path / "rejection.pdf"
    call_command("letter_preview", out=str(out), kind="rejection")
    assert "不予批准" in text_of(out)


@pytest.mark.parametrize("amount", ["abc", "-5", "NaN"])
def test_a_bad_amount_is_refused_clearly(tmp_path, amount):
    with pytest.raises(CommandError, match="amount"):
        call_command("letter_preview", out=str(tmp_path / "x.pdf"), amount=amount)
