"""Tests for subsidy.identifiers (pure functions: no database needed)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from subsidy.identifiers import (
    USCC_ALPHABET,
    CnipaApplicationNumber,
    HKPatentNumber,
    cnipa_check_char,
    is_guangdong_resident_id,
    is_guangdong_uscc,
    parse_cnipa_application_number,
    parse_hk_patent_number,
    ric_check_char,
    ric_region,
    uscc_check_char,
    uscc_region,
    validate_bank_account_number,
    validate_cnaps_code,
    validate_cnipa_application_number,
    validate_cnipa_invention_number,
    validate_hk_patent_number,
    validate_phone,
    validate_residence_permit,
    validate_resident_id,
    validate_uscc,
)

# Lets this file run standalone (pytest -p no:django) as well as under
# pytest-django with the project's settings.  Error messages are lazy, so
# configuring after the imports is fine.
if not settings.configured:
    settings.configure(USE_I18N=False)

DIGITS = "0123456789"
property_settings = hypothesis_settings(max_examples=200, deadline=None)


def error_code(func: Callable[[str], object], value: str) -> str | None:
    """Call ``func`` expecting a ValidationError; return its code.

    The messages are rendered too, so a placeholder without a matching
    param fails here.
    """
    with pytest.raises(ValidationError) as info:
        func(value)
    assert all(isinstance(m, str) and m for m in info.value.messages)
    return info.value.code


def with_uscc_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def with_ric_check(first17: str) -> str:
    return first17 + ric_check_char(first17)


def with_cnipa_check(digits: str) -> str:
    return f"{digits}.{cnipa_check_char(digits)}"


def substitutions(value: str, position: int, alphabet: str) -> list[str]:
    """Every string differing from ``value`` only at ``position``."""
    return [value[:position] + c + value[position + 1 :] for c in alphabet if c != value[position]]


# --------------------------------------------------------------------------
# USCC
# --------------------------------------------------------------------------

GD_USCC = with_uscc_check("91440300MA5EXAMPL")  # Shenzhen (440300)


def test_uscc_known_valid_examples() -> None:
    assert validate_uscc("91110000600037341L") == "91110000600037341L"  # stdnum doc
    assert validate_uscc(GD_USCC) == GD_USCC
    assert stdnum_uscc.is_valid(GD_USCC)
    assert uscc_region(GD_USCC) == "440300"
    assert is_guangdong_uscc(GD_USCC)
    assert not is_guangdong_uscc("91110000600037341L")


def test_uscc_normalisation() -> None:
    messy = f"  {GD_USCC[:4]} {GD_USCC[4:8]}-{GD_USCC[8:].lower()}\n"
    assert validate_uscc(messy) == GD_USCC
    # Full-width characters typed with a Chinese input method.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in GD_USCC)
    assert validate_uscc(full_width) == GD_USCC


def test_uscc_with_letter_registration_department() -> None:
    # Codes issued by "other" registration departments start with a letter
    # (e.g. Y); stdnum 2.2 rejects them because it requires 8 leading digits.
    code = with_uscc_check("Y1440300MA5EXAMPL")
    assert validate_uscc(code) == code
    assert not stdnum_uscc.is_valid(code)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "uscc_length"),
        (GD_USCC[:-1], "uscc_length"),
        (GD_USCC + "1", "uscc_length"),
        ("9144030OMA5EXAMPL" + "1", "uscc_characters"),  # letter O for zero
        ("91440300MA5EXAMPI" + "1", "uscc_characters"),
        ("914403001A5EXAMP" + "S1", "uscc_characters"),
        ("9144O300MA5EXAMPL1", "uscc_characters"),
        (with_uscc_check("91A40300MA5EXAMPL"), "uscc_region"),
        (GD_USCC[:-1] + ("0" if GD_USCC[-1] != "0" else "1"), "uscc_checksum"),
    ],
)
def test_uscc_invalid(value: str, code: str) -> None:
    assert error_code(validate_uscc, value) == code


def test_uscc_helpers_reject_invalid_input() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("9144")
    with pytest.raises(ValueError):
        uscc_check_char("91440300MA5EXAMPI")
    with pytest.raises(ValidationError):
        is_guangdong_uscc("not a code")


@st.composite
def usccs(draw: st.DrawFn) -> str:
    head = draw(st.text(USCC_ALPHABET, min_size=2, max_size=2))
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    organisation = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    return with_uscc_check(head + region + organisation)


@property_settings
@given(usccs())
def test_uscc_generated_codes_are_valid(code: str) -> None:
    assert validate_uscc(code) == code
    assert validate_uscc(code.lower()) == code
    # stdnum agrees on the check character and, when the first 8
    # characters are digits (all it accepts), on validity.
    assert stdnum_uscc.calc_check_digit(code[:17]) == code[17]
    if code[:8].isdigit():
        assert stdnum_uscc.is_valid(code)


@property_settings
@given(usccs())
def test_uscc_every_single_substitution_is_rejected(code: str) -> None:
    for position in range(18):
        for mutated in substitutions(code, position, USCC_ALPHABET):
            expected = "uscc_region" if 2 <= position < 8 and not mutated[position].isdigit() else "uscc_checksum"
            assert error_code(validate_uscc, mutated) == expected
            assert not stdnum_uscc.is_valid(mutated)


# --------------------------------------------------------------------------
# Resident identity card / residence permit
# --------------------------------------------------------------------------

GD_ID = with_ric_check("44010619900307123")  # Tianhe, Guangzhou


def test_ric_known_valid_examples() -> None:
    assert validate_resident_id("360426199101010071") == "360426199101010071"
    assert validate_resident_id(GD_ID) == GD_ID
    assert stdnum_ric.is_valid(GD_ID)
    assert ric_region(GD_ID) == "440106"
    assert is_guangdong_resident_id(GD_ID)
    assert not is_guangdong_resident_id("360426199101010071")


def test_ric_check_char_hand_computed() -> None:
    # The example from GB 11643-1999.
    # digits   1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
    # weights  7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    # products 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167
    first17 = "11010519491231002"
    total = sum(int(c) * w for c, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    assert total == 167
    # (12 - 167 % 11) % 11 = (12 - 2) % 11 = 10 -> "X"
    assert ric_check_char(first17) == "X"
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"


def test_ric_normalisation() -> None:
    assert validate_resident_id(f" {GD_ID[:6]} {GD_ID[6:14]} {GD_ID[14:]} ") == GD_ID
    assert validate_resident_id(f"{GD_ID[:6]}-{GD_ID[6:14]}-{GD_ID[14:]}") == GD_ID


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_residence_permit_for_hk_macau_taiwan_residents(region: str) -> None:
    permit = with_ric_check(f"{region}19850512001")
    assert validate_residence_permit(permit) == permit
    assert ric_region(permit) == region
    assert not is_guangdong_resident_id(permit)


def test_residence_permit_with_mainland_region() -> None:
    assert validate_residence_permit(GD_ID) == GD_ID


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "ric_length"),
        (GD_ID[:-1], "ric_length"),
        ("44010619900307123", "ric_length"),
        (GD_ID + "1", "ric_length"),
        ("4401061990030712A" + "1", "ric_characters"),
        ("44010619900307123Y", "ric_characters"),
        ("X40106199003071231", "ric_characters"),
        (with_ric_check("44010619900230123"), "ric_birth_date"),  # 30 Feb
        (with_ric_check("44010619000229123"), "ric_birth_date"),  # 1900 not leap
        (with_ric_check("44010619901301123"), "ric_birth_date"),  # month 13
        (with_ric_check("44010619900100123"), "ric_birth_date"),  # day 0
        (with_ric_check("44010618991231123"), "ric_birth_date"),  # before 1900
        (with_ric_check("44010629990101123"), "ric_birth_date"),  # future
        (GD_ID[:-1] + ("0" if GD_ID[-1] != "0" else "1"), "ric_checksum"),
    ],
)
def test_ric_invalid(value: str, code: str) -> None:
    assert error_code(validate_resident_id, value) == code
    assert error_code(validate_residence_permit, value) == code


def test_ric_leap_day_accepted() -> None:
    leap = with_ric_check("44010620000229123")
    assert validate_resident_id(leap) == leap


def test_ric_birth_date_after_today_refused() -> None:
    number = with_ric_check("44010620200102123")
    today = datetime.date(2020, 1, 1)
    with pytest.raises(ValidationError) as info:
        validate_resident_id(number, today=today)
    assert info.value.code == "ric_birth_date"
    assert validate_resident_id(number, today=datetime.date(2020, 1, 2)) == number


def test_ric_helpers_reject_invalid_input() -> None:
    with pytest.raises(ValueError):
        ric_check_char("4401061990030712")
    with pytest.raises(ValueError):
        ric_check_char("4401061990030712X")
    with pytest.raises(ValidationError):
        is_guangdong_resident_id("440106")


@st.composite
def resident_ids(draw: st.DrawFn, regions: st.SearchStrategy[str] | None = None) -> str:
    if regions is None:
        regions = st.text(DIGITS, min_size=6, max_size=6)
    region = draw(regions)
    birth = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.datetime.now(tz=datetime.UTC).date()))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    return with_ric_check(f"{region}{birth:%Y%m%d}{sequence}")


# Guangdong districts whose codes stdnum 2.2 knows for every birth date
# from 1990 on (stdnum checks the region against the birth year).
GD_REGIONS = ["440103", "440104", "440106", "440303", "440304", "440305", "441900"]


@property_settings
@given(resident_ids())
def test_ric_generated_numbers_are_valid(number: str) -> None:
    assert validate_resident_id(number) == number
    assert validate_residence_permit(number.lower()) == number
    assert stdnum_ric.calc_check_digit(number) == number[-1]


@property_settings
@given(
    resident_ids(
        st.sampled_from(GD_REGIONS),
    ).filter(lambda n: n[6:10] >= "1990")
)
def test_guangdong_ids_agree_with_stdnum(number: str) -> None:
    assert validate_resident_id(number) == number
    assert is_guangdong_resident_id(number)
    assert stdnum_ric.is_valid(number)


@property_settings
@given(resident_ids())
def test_ric_every_single_substitution_is_rejected(number: str) -> None:
    for position in range(18):
        alphabet = DIGITS if position < 17 else DIGITS + "X"
        for mutated in substitutions(number, position, alphabet):
            assert error_code(validate_resident_id, mutated) in {
                "ric_birth_date",
                "ric_checksum",
            }


# --------------------------------------------------------------------------
# CNIPA application numbers
# --------------------------------------------------------------------------


def test_cnipa_check_char_hand_computed_new_form() -> None:
    # digits   2 0 1 3 1 0 1 2 3 4 5 6
    # weights  2 3 4 5 6 7 8 9 2 3 4 5
    # products 4+0+4+15+6+0+8+18+6+12+20+30 = 123; 123 mod 11 = 2
    assert cnipa_check_char("201310123456") == "2"
    assert validate_cnipa_application_number("201310123456.2") == "201310123456.2"
    assert validate_cnipa_invention_number("201310123456.2") == "201310123456.2"


def test_cnipa_check_char_hand_computed_old_form() -> None:
    # digits   9 8 1 2 3 4 5 6 (1998, invention, serial 23456)
    # weights  2 3 4 5 6 7 8 9
    # products 18+24+4+10+18+28+40+54 = 196; 196 mod 11 = 9
    assert cnipa_check_char("98123456") == "9"
    number = parse_cnipa_application_number("98123456.9")
    assert number == CnipaApplicationNumber("98123456", "9", "1", old_format=True)
    assert number.is_invention


def test_cnipa_check_x() -> None:
    # A remainder of 10 is written X; find such a serial rather than
    # hard-coding one.
    digits = next(d for d in (f"2015100{n:05d}" for n in range(100)) if cnipa_check_char(d) == "X")
    assert validate_cnipa_application_number(f"{digits}.x") == f"{digits}.X"
    assert validate_cnipa_application_number(f"ZL{digits}X") == f"{digits}.X"


@pytest.mark.parametrize(
    "value",
    [
        "201310123456.2",
        "2013101234562",
        "CN201310123456.2",
        "CN 201310123456.2",
        "zl201310123456.2",
        " ZL 2013 1 0123456 . 2 ",
    ],
)
def test_cnipa_accepted_presentations(value: str) -> None:
    number = parse_cnipa_application_number(value)
    assert number.canonical == "201310123456.2"
    assert number.type_digit == "1"
    assert not number.old_format


@pytest.mark.parametrize(
    ("digits", "type_digit", "invention"),
    [
        ("201310123456", "1", True),
        ("201320123456", "2", False),
        ("201330123456", "3", False),
        ("201380123456", "8", True),
        ("201390123456", "9", False),
        ("98123456", "1", True),
        ("98223456", "2", False),
        ("98323456", "3", False),
        ("98823456", "8", True),
        ("98923456", "9", False),
    ],
)
def test_cnipa_types(digits: str, type_digit: str, invention: bool) -> None:
    value = with_cnipa_check(digits)
    number = parse_cnipa_application_number(value)
    assert number.type_digit == type_digit
    assert number.is_invention is invention
    assert number.old_format is (len(digits) == 8)
    assert validate_cnipa_application_number(value) == value
    if invention:
        assert validate_cnipa_invention_number(value) == value
    else:
        assert error_code(validate_cnipa_invention_number, value) == "cnipa_not_invention"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "cnipa_format"),
        ("2013101234.2", "cnipa_format"),
        ("2013101234567.2", "cnipa_format"),
        ("201310123456.", "cnipa_format"),
        ("201310123456.22", "cnipa_format"),
        ("US201310123456.2", "cnipa_format"),
        ("CN201310123456A", "cnipa_format"),
        ("2013101234S6.2", "cnipa_format"),
        (with_cnipa_check("201340123456"), "cnipa_type"),
        (with_cnipa_check("201300123456"), "cnipa_type"),
        (with_cnipa_check("98523456"), "cnipa_type"),
        ("201310123456.3", "cnipa_checksum"),
        ("201310123456.X", "cnipa_checksum"),
        ("98123456.0", "cnipa_checksum"),
    ],
)
def test_cnipa_invalid(value: str, code: str) -> None:
    assert error_code(validate_cnipa_application_number, value) == code
    assert error_code(validate_cnipa_invention_number, value) == code


def test_cnipa_check_char_rejects_invalid_input() -> None:
    for bad in ("", "2013101234", "20131012345X", "2013101234567"):
        with pytest.raises(ValueError):
            cnipa_check_char(bad)


CNIPA_TYPES = "12389"


@st.composite
def cnipa_numbers(draw: st.DrawFn) -> str:
    type_digit = draw(st.sampled_from(CNIPA_TYPES))
    if draw(st.booleans()):  # new form: YYYY + type + 7-digit serial
        year = draw(st.integers(min_value=2003, max_value=2035))
        serial = draw(st.text(DIGITS, min_size=7, max_size=7))
        return with_cnipa_check(f"{year:04d}{type_digit}{serial}")
    # old form (1985 to 2003): YY + type + 5-digit serial
    year = draw(st.integers(min_value=1985, max_value=2003))
    serial = draw(st.text(DIGITS, min_size=5, max_size=5))
    return with_cnipa_check(f"{year % 100:02d}{type_digit}{serial}")


@property_settings
@given(cnipa_numbers())
def test_cnipa_generated_numbers_are_valid(value: str) -> None:
    digits, check = value.split(".")
    number = parse_cnipa_application_number(value)
    assert number.canonical == value
    assert number.old_format is (len(digits) == 8)
    assert validate_cnipa_application_number(f"CN {digits}{check.lower()}") == value
    assert validate_cnipa_application_number(f"ZL{digits}.{check}") == value


@property_settings
@given(cnipa_numbers())
def test_cnipa_every_single_substitution_is_rejected(value: str) -> None:
    digits, _ = value.split(".")
    type_position = 2 if len(digits) == 8 else 4
    for position in range(len(value)):
        if value[position] == ".":
            continue
        alphabet = DIGITS + "X" if position == len(value) - 1 else DIGITS
        for mutated in substitutions(value, position, alphabet):
            expected = (
                "cnipa_type" if position == type_position and mutated[position] not in CNIPA_TYPES else "cnipa_checksum"
            )
            assert error_code(validate_cnipa_application_number, mutated) == expected


# --------------------------------------------------------------------------
# Hong Kong patent numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical", "key"),
    [
        ("hk 1234567b", "HK1234567 B", "HK1234567"),
        ("HK30012345A", "HK30012345 A", "HK30012345"),
        ("HK1234567", "HK1234567", "HK1234567"),
        (" HK 1234567 A1 ", "HK1234567 A1", "HK1234567"),
        ("hk1234567-b1", "HK1234567 B1", "HK1234567"),
        ("HK30012345 B", "HK30012345 B", "HK30012345"),
    ],
)
def test_hk_patent_number_valid(value: str, canonical: str, key: str) -> None:
    number = parse_hk_patent_number(value)
    assert number.canonical == canonical
    assert number.key == key
    assert validate_hk_patent_number(value) == canonical
    assert validate_hk_patent_number(canonical) == canonical


def test_hk_patent_number_key_ignores_kind_code() -> None:
    assert parse_hk_patent_number("HK1234567 A").key == parse_hk_patent_number("HK1234567B").key
    assert parse_hk_patent_number("HK1234567") == HKPatentNumber("1234567", "")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "HK",
        "1234567",
        "HK123456",
        "HK123456789",
        "CN1234567",
        "HK1234567 AB",
        "HK1234567 A12",
        "HK1234567 1",  # not HK12345671
        "HK 1234 567",
        "HK1234567 A 1",
        "HK12345X7",
    ],
)
def test_hk_patent_number_invalid(value: str) -> None:
    assert error_code(validate_hk_patent_number, value) == "hk_number_format"


# --------------------------------------------------------------------------
# CNAPS, phone, bank account
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical"),
    [("102100099996", "102100099996"), (" 1021 0009 9996 ", "102100099996")],
)
def test_cnaps_valid(value: str, canonical: str) -> None:
    assert validate_cnaps_code(value) == canonical


@pytest.mark.parametrize("value", ["", "10210009999", "1021000999961", "10210009999A"])
def test_cnaps_invalid(value: str) -> None:
    assert error_code(validate_cnaps_code, value) == "cnaps_format"


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("020-12345678", "020-12345678"),
        ("020 12345678", "020-12345678"),
        ("02012345678", "020-12345678"),
        ("(020) 1234 5678", "020-12345678"),
        ("010-1234567", "010-1234567"),
        ("0755-12345678", "0755-12345678"),
        ("0755 1234567", "0755-1234567"),
        ("+86 20 12345678", "020-12345678"),
        ("+86 020 12345678", "020-12345678"),
        ("+852 21234567", "+852 21234567"),
        ("+852-2123-4567", "+852 21234567"),
        ("00852 91234567", "+852 91234567"),
        ("85221234567", "+852 21234567"),
    ],
)
def test_phone_valid(value: str, canonical: str) -> None:
    assert validate_phone(value) == canonical


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345678",  # no area code
        "1380013800",  # mobile one digit short
        "138001380001",  # one digit long
        "12800138000",  # 12x is not a mobile prefix
        "0012345678",  # 00 is not an area code
        "020-123456",  # local part too short
        "020-123456789",  # local part too long
        "+852 2123456",
        "+852 12345678",
        "+1 2125551234",
        "13800138000 ext 1",
    ],
)
def test_phone_invalid(value: str) -> None:
    assert error_code(validate_phone, value) == "phone_format"


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("6222 0212 3456 7890 123", "6222021234567890123"),
        ("12345678", "12345678"),
        ("1" * 30, "1" * 30),
    ],
)
def test_bank_account_valid(value: str, canonical: str) -> None:
    assert validate_bank_account_number(value) == canonical


@pytest.mark.parametrize("value", ["", "1234567", "1" * 31, "6222-0212-3456", "6222O21234567890"])
def test_bank_account_invalid(value: str) -> None:
    assert error_code(validate_bank_account_number, value) == "bank_account_format"
