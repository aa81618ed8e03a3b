"""Tests for subsidy.patent_numbers (pure functions: no database needed)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from subsidy.identifiers import cnipa_check_char
from subsidy.patent_numbers import (
    APPLICATION_NUMBER_EXAMPLES,
    PATENT_NUMBER_EXAMPLES,
    PCT_OFFICE,
    ApplicationNumber,
    Office,
    PatentNumber,
    ep_check_digit,
    parse_application_number,
    parse_patent_number,
)

TODAY = datetime.date(2026, 12, 3)
DIGITS = "0123456789"
property_settings = hypothesis_settings(max_examples=200, deadline=None)


def error_code(func: Callable[[], object]) -> str | None:
    """Call ``func`` expecting a ValidationError; return its code. The messages are
    rendered too, so a placeholder without a matching param fails here."""
    with pytest.raises(ValidationError) as info:
        func()
    assert all(isinstance(message, str) and message for message in info.value.messages)
    return info.value.code


def patent_error(office: str, value: str) -> str | None:
    return error_code(lambda: parse_patent_number(office, value, today=TODAY))


def application_error(office: str, value: str) -> str | None:
    return error_code(lambda: parse_application_number(office, value, today=TODAY))


def full_width(value: str) -> str:
    """As typed with a Chinese input method in full-width mode."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in value)


def with_cnipa_check(digits: str) -> str:
    return f"{digits}.{cnipa_check_char(digits)}"


# --------------------------------------------------------------------------
# Granted patents: several spellings, one number
# --------------------------------------------------------------------------

CN_INVENTION = with_cnipa_check("202310123456")  # 202310123456.6
CN_UTILITY = with_cnipa_check("202320123456")


@pytest.mark.parametrize(
    ("office", "spellings", "number", "kind", "display"),
    [
        (
            Office.HK,
            ["HK1234567 B", "hk 1234567b", "1234567 B", full_width("HK1234567 B")],
            "HK1234567",
            "B",
            "HK1234567 B",
        ),
        (Office.HK, ["HK30012345", " hk30012345 ", "30012345"], "HK30012345", "", "HK30012345"),
        (
            Office.CN,
            [
                f"ZL{CN_INVENTION}",
                "zl 2023 1 0123456.6",
                "ZL2023101234566",
                CN_INVENTION,
                f"CN {CN_INVENTION}",
                f"专利号：ZL{CN_INVENTION}",
                full_width(f"ZL{CN_INVENTION}"),
            ],
            f"ZL{CN_INVENTION}",
            "",
            f"ZL{CN_INVENTION}",
        ),
        (
            Office.US,
            [
                "US 11,234,567 B2",
                "US11234567B2",
                "us-11234567-b2",
                "11,234,567 B2",
                "U.S. Pat. No. 11,234,567 B2",
                "US 011234567 B2",
                full_width("US11234567B2"),
            ],
            "US11234567",
            "B2",
            "US 11,234,567 B2",
        ),
        (Office.US, ["US 9,876,543", "9876543", "US9876543"], "US9876543", "", "US 9,876,543"),
        (
            Office.EP,
            ["EP 3 456 789 B1", "EP3456789B1", "ep 3456789 b1", "3 456 789 B1", "EP-3456789-B1"],
            "EP3456789",
            "B1",
            "EP 3 456 789 B1",
        ),
        (Office.EP, ["EP 0 800 000", "EP0800000"], "EP0800000", "", "EP 0 800 000"),
        (
            Office.JP,
            ["JP 7123456 B2", "JP7123456B2", "jp7123456b2", "7123456 B2", full_width("JP7123456B2")],
            "JP7123456",
            "B2",
            "JP 7123456 B2",
        ),
        (
            Office.JP,
            ["特許第7123456号", f"特許第{full_width('7123456')}号", "特許 7123456", "JP 7,123,456"],
            "JP7123456",
            "",
            "JP 7123456",
        ),
        (
            Office.KR,
            ["KR 10-2345678 B1", "KR102345678B1", "10-2345678 B1", "kr 10-2345678 b1"],
            "KR102345678",
            "B1",
            "KR 10-2345678 B1",
        ),
        (
            Office.KR,
            [
                "10-2345678",
                "10-2345678-0000",
                "1023456780000",
                "102345678",
                "특허 제10-2345678호",
                "제 10\uff0d2345678 호",
            ],
            "KR102345678",
            "",
            "KR 10-2345678",
        ),
        (Office.GB, ["GB 2512345 B", "GB2512345B", "2512345 B", "gb2512345b"], "GB2512345", "B", "GB 2512345 B"),
    ],
)
def test_patent_spellings_normalise_to_one_number(
    office: Office, spellings: list[str], number: str, kind: str, display: str
) -> None:
    for spelling in spellings:
        parsed = parse_patent_number(office, spelling, today=TODAY)
        assert (parsed.office, parsed.number, parsed.kind, parsed.display) == (office, number, kind, display), spelling
        assert str(parsed) == display
        # The stored forms read back as the same patent.
        assert parse_patent_number(office, parsed.number, today=TODAY).number == number
        assert parse_patent_number(office, parsed.display, today=TODAY) == parsed


def test_office_may_be_given_as_its_code_in_any_case() -> None:
    assert parse_patent_number("us", "11234567").office == Office.US
    assert parse_patent_number("EP", "3456789").number == "EP3456789"


def test_cn_patent_number_knows_whether_it_is_an_invention() -> None:
    assert parse_patent_number(Office.CN, f"ZL{CN_INVENTION}", today=TODAY).is_invention
    pct_entry = with_cnipa_check("202380123456")
    assert parse_patent_number(Office.CN, f"ZL{pct_entry}", today=TODAY).is_invention
    utility = parse_patent_number(Office.CN, f"ZL{CN_UTILITY}", today=TODAY)
    assert utility.number == f"ZL{CN_UTILITY}"
    assert not utility.is_invention
    assert parse_patent_number(Office.US, "US11234567").is_invention


@pytest.mark.parametrize("office", list(Office))
def test_examples_parse_and_keep_their_display(office: Office) -> None:
    parsed = parse_patent_number(office, PATENT_NUMBER_EXAMPLES[office], today=TODAY)
    assert parsed.display == PATENT_NUMBER_EXAMPLES[office]


# --------------------------------------------------------------------------
# Granted patents: what is refused, and why
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("office", "value", "code"),
    [
        # Empty or junk.
        (Office.US, "", "us_patent_format"),
        (Office.EP, "   ", "ep_patent_format"),
        (Office.JP, "特許", "jp_patent_format"),
        # Wrong length.
        (Office.US, "US 123,456", "us_patent_format"),
        (Office.US, "US 123,456,789", "us_patent_format"),
        (Office.EP, "EP 345 678 B1", "ep_patent_format"),
        (Office.EP, "EP 34 567 890 B1", "ep_patent_format"),
        (Office.JP, "JP 712345", "jp_patent_format"),
        (Office.JP, "JP 71234567", "jp_patent_format"),
        (Office.KR, "10-234567", "kr_patent_format"),
        (Office.KR, "10-23456789", "kr_patent_format"),
        (Office.GB, "GB 251234", "gb_patent_format"),
        (Office.HK, "HK123456", "hk_number_format"),
        (Office.CN, "ZL2023101234.5", "cn_patent_format"),
        # Letters where digits belong.
        (Office.US, "US 11,234,5O7 B2", "us_patent_format"),
        (Office.EP, "EP 3 456 7B9 B1", "ep_patent_format"),
        (Office.JP, "JP 71234S6", "jp_patent_format"),
        (Office.KR, "10-234S678", "kr_patent_format"),
        (Office.CN, "ZL20231O123456.6", "cn_patent_format"),
        # Bad check digit, wrong type digit.
        (Office.CN, "ZL202310123456.7", "cnipa_checksum"),
        (Office.CN, "ZL202340123456.0", "cnipa_type"),
        # A filing year that has not come yet.
        (Office.CN, f"ZL{with_cnipa_check('203010123456')}", "application_year"),
        # Stray characters after the number.
        (Office.HK, "HK1234567 1", "hk_number_format"),
        (Office.US, "US 11,234,567 B2 X", "us_patent_format"),
        # Kind codes that are not grants.
        (Office.US, "US 11,234,567 A1", "patent_kind"),
        (Office.EP, "EP 3 456 789 A1", "patent_kind"),
        (Office.JP, "JP 7123456 A", "patent_kind"),
        (Office.KR, "KR 10-2345678 A", "patent_kind"),
        (Office.GB, "GB 2512345 A", "patent_kind"),
        # Not a patent for invention, or not a patent number.
        (Office.KR, "20-0456789", "kr_patent_type"),
        (Office.KR, "10-2023-0123456", "kr_patent_format"),
        (Office.JP, "特願2023-123456", "jp_patent_format"),
        (Office.US, "US 17/123,456", "us_patent_format"),
        (Office.US, "D987,654", "us_patent_format"),
        (Office.US, "US 2023/0123456 A1", "us_patent_format"),
        (Office.EP, "EP 19123456.6", "ep_patent_format"),
        (Office.CN, "CN 112345678 B", "cn_publication_number"),
        (Office.CN, "CN1234567C", "cn_publication_number"),
        (Office.US, "PCT/CN2023/123456", "patent_number_international"),
        (Office.EP, "WO 2023/123456 A1", "patent_number_international"),
        # Another office's number.
        (Office.US, "EP 3 456 789 B1", "patent_office_mismatch"),
        (Office.EP, "US 11,234,567 B2", "patent_office_mismatch"),
        (Office.JP, "KR 10-2345678 B1", "patent_office_mismatch"),
        (Office.KR, "JP 7123456 B2", "patent_office_mismatch"),
        (Office.HK, "ZL202310123456.6", "patent_office_mismatch"),
        (Office.CN, "HK1234567 B", "patent_office_mismatch"),
        (Office.GB, "EP 3 456 789 B1", "patent_office_mismatch"),
        # No such office.
        ("XX", "1234567", "patent_office"),
        (PCT_OFFICE, "PCT/CN2023/123456", "patent_office"),
    ],
)
def test_patent_refused(office: str, value: str, code: str) -> None:
    assert patent_error(office, value) == code


def test_wrong_office_message_names_both_offices() -> None:
    with pytest.raises(ValidationError) as info:
        parse_patent_number(Office.US, "EP 3 456 789 B1")
    (message,) = info.value.messages
    assert "EP" in message
    assert str(Office.EP.label) in message
    assert str(Office.US.label) in message


def test_format_messages_show_an_example() -> None:
    for office, value in [
        (Office.US, "x"),
        (Office.EP, "x"),
        (Office.JP, "x"),
        (Office.KR, "x"),
        (Office.GB, "x"),
        (Office.CN, "x"),
    ]:
        with pytest.raises(ValidationError) as info:
            parse_patent_number(office, value)
        (message,) = info.value.messages
        assert "e.g." in message, office


def test_kind_message_lists_the_grant_kinds() -> None:
    with pytest.raises(ValidationError) as info:
        parse_patent_number(Office.US, "US11234567A1")
    (message,) = info.value.messages
    assert "A1" in message
    assert "B1, B2" in message


def test_cn_checksum_message_gives_the_expected_digit() -> None:
    with pytest.raises(ValidationError) as info:
        parse_patent_number(Office.CN, "ZL202310123456.7", today=TODAY)
    assert info.value.params == {"digits": "202310123456", "expected": "6", "found": "7"}


# --------------------------------------------------------------------------
# Applications: several spellings, one number
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("office", "spellings", "number", "display"),
    [
        (
            Office.CN,
            [CN_INVENTION, f"CN {CN_INVENTION}", "2023 1 0123456.6", "ZL2023101234566", full_width(CN_INVENTION)],
            f"CN{CN_INVENTION}",
            f"CN {CN_INVENTION}",
        ),
        (Office.CN, ["98123456.9", "CN98123456.9"], "CN98123456.9", "CN 98123456.9"),
        (
            Office.EP,
            ["EP 19123456.6", "EP19123456.6", "19123456.6", "EP 19123456", "19 123 456.6", "191234566"],
            "EP19123456.6",
            "EP 19123456.6",
        ),
        # Examples from the EPO's own answer on its forum and from its register.
        (Office.EP, ["99403122.7", "99403122"], "EP99403122.7", "EP 99403122.7"),
        (Office.EP, ["EP13748138.8", "EP 13748138"], "EP13748138.8", "EP 13748138.8"),
        (Office.EP, ["15150367.9"], "EP15150367.9", "EP 15150367.9"),
        (
            Office.US,
            ["US 17/123,456", "17/123,456", "17/123456", "17123456", "U.S. 17/123,456", full_width("US 17/123,456")],
            "US17/123456",
            "US 17/123,456",
        ),
        (Office.US, ["63/012,345"], "US63/012345", "US 63/012,345"),
        (
            Office.JP,
            [
                "JP 2023-123456",
                "JP2023-123456",
                "特願2023-123456",
                f"特願{full_width('2023-123456')}",
                "特願2023ー123456",
                "特許出願2023-123456",
                "2023123456",
                "jp 2023 123456",
            ],
            "JP2023-123456",
            "JP 2023-123456",
        ),
        (
            Office.KR,
            [
                "KR 10-2023-0123456",
                "10-2023-0123456",
                "1020230123456",
                "kr10 2023 0123456",
                "10\u20132023\u20130123456",
            ],
            "KR10-2023-0123456",
            "KR 10-2023-0123456",
        ),
        (Office.KR, ["20-2024-0001234"], "KR20-2024-0001234", "KR 20-2024-0001234"),
        (Office.GB, ["GB 1712345.6", "GB1712345", "1712345", "gb 17 12345.6"], "GB1712345", "GB 1712345"),
        (
            PCT_OFFICE,
            [
                "PCT/CN2023/123456",
                "pct/cn2023/123456",
                "PCT CN 2023 123456",
                "PCTCN2023123456",
                full_width("PCT/CN2023/123456"),
            ],
            "PCT/CN2023/123456",
            "PCT/CN2023/123456",
        ),
    ],
)
def test_application_spellings_normalise_to_one_number(
    office: str, spellings: list[str], number: str, display: str
) -> None:
    for spelling in spellings:
        parsed = parse_application_number(office, spelling, today=TODAY)
        assert (parsed.office, parsed.number, parsed.display) == (office, number, display), spelling
        assert str(parsed) == display
        assert parse_application_number(office, parsed.number, today=TODAY) == parsed
        assert parse_application_number(office, parsed.display, today=TODAY) == parsed


@pytest.mark.parametrize("office", [Office.CN, Office.US, Office.EP, Office.JP, Office.KR, Office.GB])
def test_pct_number_is_read_whichever_office_was_chosen(office: Office) -> None:
    parsed = parse_application_number(office, "PCT/JP2024/000123", today=TODAY)
    assert parsed == ApplicationNumber(PCT_OFFICE, "PCT/JP2024/000123", "PCT/JP2024/000123")


@pytest.mark.parametrize("office", list(APPLICATION_NUMBER_EXAMPLES))
def test_application_examples_parse(office: str) -> None:
    assert parse_application_number(office, APPLICATION_NUMBER_EXAMPLES[office], today=TODAY).office == office


@pytest.mark.parametrize(
    ("office", "value", "code"),
    [
        # CN: format, check digit, type digit (read by subsidy.identifiers).
        (Office.CN, "2023101234.5", "cnipa_format"),
        (Office.CN, "202310123456.7", "cnipa_checksum"),
        (Office.CN, "202340123456.0", "cnipa_type"),
        (Office.CN, with_cnipa_check("202710123456"), "application_year"),
        (Office.CN, with_cnipa_check("200210123456"), "application_year"),
        # EP: length, letters, check digit, year.
        (Office.EP, "EP 1912345.6", "ep_application_format"),
        (Office.EP, "EP 191234567.8", "ep_application_format"),
        (Office.EP, "EP 19I23456.6", "ep_application_format"),
        (Office.EP, "EP 19123456.7", "ep_application_checksum"),
        (Office.EP, "13748138.9", "ep_application_checksum"),
        (Office.EP, f"EP 30123456.{ep_check_digit('30123456')}", "application_year"),
        # US: length, letters, series codes that found no patent family.
        (Office.US, "17/12,345", "us_application_format"),
        (Office.US, "17/1234567", "us_application_format"),
        (Office.US, "17/12E,456", "us_application_format"),
        (Office.US, "29/123,456", "us_application_series"),
        (Office.US, "90/012,345", "us_application_series"),
        (Office.US, "00/123,456", "us_application_series"),
        # JP: length, letters, imperial or future years.
        (Office.JP, "特願2023-12345", "jp_application_format"),
        (Office.JP, "特願2023-1234567", "jp_application_format"),
        (Office.JP, "特願平11-123456", "jp_application_format"),
        (Office.JP, "特願2O23-123456", "jp_application_format"),
        (Office.JP, "特願2027-123456", "application_year"),
        (Office.JP, "特願1999-123456", "application_year"),
        # KR: length, type of right, year.
        (Office.KR, "10-2023-012345", "kr_application_format"),
        (Office.KR, "10-23-0123456", "kr_application_format"),
        (Office.KR, "30-2023-0123456", "kr_application_type"),
        (Office.KR, "10-2029-0123456", "application_year"),
        # GB: length, year.
        (Office.GB, "GB 171234", "gb_application_format"),
        (Office.GB, "GB 2712345", "application_year"),
        # PCT: shape, pre-2004 form, year.
        (PCT_OFFICE, "PCT/CN2023/12345", "pct_application_format"),
        (PCT_OFFICE, "PCT/CN03/00123", "pct_application_format"),
        (PCT_OFFICE, "PCT/C12023/123456", "pct_application_format"),
        (PCT_OFFICE, "WO 2023/123456", "pct_application_format"),
        (Office.CN, "PCT/CN2030/123456", "application_year"),
        # Another office's number; an office without application numbers here.
        (Office.EP, f"CN {CN_INVENTION}", "patent_office_mismatch"),
        (Office.CN, "EP 19123456.6", "patent_office_mismatch"),
        (Office.JP, "KR 10-2023-0123456", "patent_office_mismatch"),
        (Office.US, "JP 2023-123456", "patent_office_mismatch"),
        (Office.HK, "HK 19123456.7", "application_office_unsupported"),
        ("XX", "123", "patent_office"),
    ],
)
def test_application_refused(office: str, value: str, code: str) -> None:
    assert application_error(office, value) == code


def test_ep_checksum_message_gives_the_expected_digit() -> None:
    with pytest.raises(ValidationError) as info:
        parse_application_number(Office.EP, "EP19123456.7", today=TODAY)
    assert info.value.params == {"digits": "19123456", "expected": "6", "found": "7"}


def test_year_defaults_to_the_current_year_in_china() -> None:
    this_year = datetime.datetime.now(tz=datetime.UTC).year
    assert parse_application_number(Office.JP, f"{this_year - 1}-123456").number == f"JP{this_year - 1}-123456"
    assert application_error(Office.JP, f"{this_year + 2}-123456") == "application_year"


# --------------------------------------------------------------------------
# EP check digit
# --------------------------------------------------------------------------


def test_ep_check_digit_hand_computed() -> None:
    # 9·1 + 9·2 + 4·1 + 0·2 + 3·1 + 1·2 + 2·1 + 2·2 -> digits summed 33 -> 10 - 3 = 7
    assert ep_check_digit("99403122") == "7"
    assert ep_check_digit("13748138") == "8"
    assert ep_check_digit("15150367") == "9"
    # A sum that is already a multiple of ten gives 0, not 10.
    assert ep_check_digit("00000000") == "0"


@pytest.mark.parametrize("digits", ["1234567", "123456789", "1234567X", full_width("12345678"), ""])
def test_ep_check_digit_refuses_other_input(digits: str) -> None:
    with pytest.raises(ValueError, match="expected 8 digits"):
        ep_check_digit(digits)


@property_settings
@given(st.text(DIGITS, min_size=8, max_size=8), st.integers(1, 9))
def test_ep_check_digit_catches_any_single_digit_error(digits: str, change: int) -> None:
    check = ep_check_digit(digits)
    for position in range(8):
        mistyped = digits[:position] + str((int(digits[position]) + change) % 10) + digits[position + 1 :]
        assert ep_check_digit(mistyped) != check


# --------------------------------------------------------------------------
# Properties: canonical forms read back; junk is refused, never crashes
# --------------------------------------------------------------------------


def digit_strings(size: int, *, first: str = DIGITS) -> st.SearchStrategy[str]:
    return st.builds(
        lambda head, tail: head + tail, st.sampled_from(first), st.text(DIGITS, min_size=size - 1, max_size=size - 1)
    )


GRANT_NUMBERS: dict[Office, st.SearchStrategy[str]] = {
    Office.HK: st.one_of(digit_strings(7), digit_strings(8)).map(lambda d: f"HK{d}"),
    Office.CN: st.builds(
        lambda year, right, serial: f"ZL{with_cnipa_check(f'{year}{right}{serial}')}",
        st.integers(2003, TODAY.year),
        st.sampled_from("12389"),
        st.text(DIGITS, min_size=7, max_size=7),
    ),
    Office.US: st.one_of(digit_strings(7, first="123456789"), digit_strings(8, first="123456789")).map(
        lambda d: f"US{d}"
    ),
    Office.EP: digit_strings(7).map(lambda d: f"EP{d}"),
    Office.JP: digit_strings(7, first="123456789").map(lambda d: f"JP{d}"),
    Office.KR: digit_strings(7).map(lambda d: f"KR10{d}"),
    Office.GB: digit_strings(7).map(lambda d: f"GB{d}"),
}


def presentations(value: str) -> st.SearchStrategy[str]:
    """``value`` as people type it: any case, full width or not, padded with spaces."""
    return st.builds(
        lambda lower, wide, pad: (lambda text: f"{pad}{text}{pad}")(
            full_width(value.lower() if lower else value) if wide else (value.lower() if lower else value)
        ),
        st.booleans(),
        st.booleans(),
        st.sampled_from(["", " ", "\u3000", "\t"]),
    )


@pytest.mark.parametrize("office", list(Office))
def test_grant_numbers_read_back_as_themselves(office: Office) -> None:
    @property_settings
    @given(GRANT_NUMBERS[office].flatmap(lambda number: st.tuples(st.just(number), presentations(number))))
    def check(example: tuple[str, str]) -> None:
        number, typed = example
        parsed = parse_patent_number(office, typed, today=TODAY)
        assert parsed.number == number
        assert parsed.kind == ""
        assert parse_patent_number(office, parsed.number, today=TODAY) == parsed
        assert parse_patent_number(office, parsed.display, today=TODAY) == parsed

    check()


APPLICATION_NUMBERS: dict[str, st.SearchStrategy[str]] = {
    Office.CN: st.builds(
        lambda year, right, serial: f"CN{with_cnipa_check(f'{year}{right}{serial}')}",
        st.integers(2003, TODAY.year),
        st.sampled_from("12389"),
        st.text(DIGITS, min_size=7, max_size=7),
    ),
    Office.EP: st.builds(
        lambda year, serial: f"EP{year % 100:02d}{serial}.{ep_check_digit(f'{year % 100:02d}{serial}')}",
        st.integers(1978, TODAY.year),
        st.text(DIGITS, min_size=6, max_size=6),
    ),
    Office.US: st.builds(
        lambda series, serial: f"US{series:02d}/{serial}",
        st.one_of(st.integers(1, 28), st.integers(60, 69)),
        st.text(DIGITS, min_size=6, max_size=6),
    ),
    Office.JP: st.builds(
        lambda year, serial: f"JP{year}-{serial}",
        st.integers(2000, TODAY.year),
        st.text(DIGITS, min_size=6, max_size=6),
    ),
    Office.KR: st.builds(
        lambda right, year, serial: f"KR{right}-{year}-{serial}",
        st.sampled_from(["10", "20"]),
        st.integers(1998, TODAY.year),
        st.text(DIGITS, min_size=7, max_size=7),
    ),
    Office.GB: st.builds(
        lambda year, serial: f"GB{year % 100:02d}{serial}",
        st.integers(1978, TODAY.year),
        st.text(DIGITS, min_size=5, max_size=5),
    ),
    PCT_OFFICE: st.builds(
        lambda receiving, year, serial: f"PCT/{receiving}{year}/{serial}",
        st.sampled_from(["CN", "US", "EP", "JP", "KR", "IB", "HK"]),
        st.integers(2004, TODAY.year),
        st.text(DIGITS, min_size=6, max_size=6),
    ),
}


@pytest.mark.parametrize("office", list(APPLICATION_NUMBERS))
def test_application_numbers_read_back_as_themselves(office: str) -> None:
    @property_settings
    @given(APPLICATION_NUMBERS[office].flatmap(lambda number: st.tuples(st.just(number), presentations(number))))
    def check(example: tuple[str, str]) -> None:
        number, typed = example
        parsed = parse_application_number(office, typed, today=TODAY)
        assert parsed.number == number
        assert parse_application_number(office, parsed.number, today=TODAY) == parsed
        assert parse_application_number(office, parsed.display, today=TODAY) == parsed

    check()


# Characters that reach deep into the parsers: digits, office codes, separators and
# the labels and full-width forms they strip.
NUMBER_LIKE = st.lists(
    st.one_of(
        st.sampled_from(list(DIGITS + "ABCEGHJKLNOPRSTUWXYZabkl .,-/:：\u3000" + full_width("-09ZL"))),
        st.sampled_from(
            ["特許", "特願", "第", "号", "특허", "제", "호", "专利号", "PCT/", "ZL", "CN", "EP", "US", "JP", "KR"]
        ),
    ),
    max_size=30,
).map("".join)


@property_settings
@given(st.one_of(st.text(max_size=40), NUMBER_LIKE), st.sampled_from([*Office.values, PCT_OFFICE, "xx"]))
def test_any_text_parses_or_raises_validation_error(value: str, office: str) -> None:
    for parse in (parse_patent_number, parse_application_number):
        try:
            parsed = parse(office, value, today=TODAY)
        except ValidationError as error:
            assert error.code
            assert all(isinstance(message, str) and message for message in error.messages)
        else:
            assert isinstance(parsed, PatentNumber | ApplicationNumber)
            # Whatever is accepted reads back as itself.
            assert parse(office, parsed.number, today=TODAY) == parsed
