"""Validators for the identifiers an applicant gives us.

Every ``validate_*`` function takes what a person typed, normalises it and
returns the canonical string, or raises
:class:`django.core.exceptions.ValidationError` with a stable ``code`` and a
translatable message that tells the person what to fix.  The functions are
pure (no database, no network) so they can be used from forms, serializers,
models and data imports alike.

Normalisation is deliberately forgiving about presentation: surrounding
whitespace, inner spaces (and hyphens where they are only separators), letter
case and full-width characters typed with a Chinese input method (U+FF10-U+FF5A)
are all accepted.

The ``*_check_char`` helpers are for code, not for user input: they expect
exactly the characters they document and raise :class:`ValueError` otherwise.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "IDENTIFIER_INPUT",
    "USCC_ALPHABET",
    "CnipaApplicationNumber",
    "HKPatentNumber",
    "MaxIdentifierLength",
    "cnipa_check_char",
    "compact_code",
    "compact_spaces",
    "is_guangdong_resident_id",
    "is_guangdong_uscc",
    "parse_cnipa_application_number",
    "parse_hk_patent_number",
    "payee_name_key",
    "ric_check_char",
    "ric_region",
    "tidy_spaces",
    "uscc_check_char",
    "uscc_region",
    "validate_bank_account_number",
    "validate_cnaps_code",
    "validate_cnipa_application_number",
    "validate_cnipa_invention_number",
    "validate_hk_patent_number",
    "validate_payee_name",
    "validate_phone",
    "validate_residence_permit",
    "validate_resident_id",
    "validate_uscc",
]

GUANGDONG_REGION_PREFIX: Final = "44"

_DIGITS: Final = frozenset("0123456789")


def _china_today() -> datetime.date:
    return datetime.datetime.now(tz=ZoneInfo("Asia/Shanghai")).date()


def _compact(value: str, separators: str = "-") -> str:
    """Return ``value`` in NFKC form, upper-cased, without whitespace and
    without any of ``separators``.

    NFKC turns full-width digits and letters typed with a Chinese input
    method into ASCII; str.isspace() also covers the ideographic space.
    """
    value = unicodedata.normalize("NFKC", value).upper()
    return "".join(c for c in value if not c.isspace() and c not in separators)


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() also accepts e.g. Arabic-Indic and superscript digits.
    return bool(value) and all(c in _DIGITS for c in value)


# --------------------------------------------------------------------------
# Unified Social Credit Code (GB 32100-2015)
# --------------------------------------------------------------------------

#: The 31 characters a USCC may contain (no I, O, S, V or Z).
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """Return the check character for the first 17 characters of a USCC.

    Raises :class:`ValueError` unless ``first17`` is 17 characters from
    :data:`USCC_ALPHABET`.
    """
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError(f"expected 17 USCC characters, got {first17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Validate a Unified Social Credit Code and return it in canonical form.

    Error codes: ``uscc_length``, ``uscc_characters``, ``uscc_region`` (the
    administrative-division part, characters 3-8, must be digits) and
    ``uscc_checksum``.
    """
    code = _compact(value)
    if len(code) != 18:
        raise ValidationError(
            _(
                "A Unified Social Credit Code has 18 characters, but %(length)d "
                "were entered. Copy it from the business licence."
            ),
            code="uscc_length",
            params={"length": len(code)},
        )
    for position, char in enumerate(code, start=1):
        if char not in USCC_ALPHABET:
            raise ValidationError(
                _(
                    'The character "%(char)s" at position %(position)d cannot '
                    "appear in a Unified Social Credit Code, which only uses "
                    "digits and the letters A-Y except I, O, S, V and Z. "
                    "Check for a mistyped letter O (should be 0) or I (should be 1)."
                ),
                code="uscc_characters",
                params={"char": char, "position": position},
            )
    if not _is_ascii_digits(code[2:8]):
        raise ValidationError(
            _(
                "Characters 3 to 8 of a Unified Social Credit Code are the "
                'six-digit region code, but "%(region)s" contains letters.'
            ),
            code="uscc_region",
            params={"region": code[2:8]},
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character of this Unified Social Credit Code is "
                "wrong: expected %(expected)s, found %(found)s. One of the 18 "
                "characters has probably been mistyped."
            ),
            code="uscc_checksum",
            params={"expected": expected, "found": code[17]},
        )
    return code


def uscc_region(code: str) -> str:
    """Return the six-digit region code of a USCC (validating it first)."""
    return validate_uscc(code)[2:8]


def is_guangdong_uscc(code: str) -> bool:
    """Whether a USCC was registered in Guangdong (region code ``44xxxx``).

    Raises :class:`ValidationError` if ``code`` is not a valid USCC, so an
    invalid code is never silently treated as "not Guangdong".
    """
    return uscc_region(code).startswith(GUANGDONG_REGION_PREFIX)


# --------------------------------------------------------------------------
# Resident identity card number / residence permit number (GB 11643-1999)
# --------------------------------------------------------------------------

# ISO 7064 MOD 11-2 weights: 2**(17 - i) mod 11.
_RIC_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))
_RIC_EARLIEST_BIRTH: Final = datetime.date(1900, 1, 1)


def ric_check_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ("0"-"9" or "X").

    Raises :class:`ValueError` unless ``first17`` is 17 ASCII digits.
    """
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, _RIC_WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _validate_gb11643(value: str, today: datetime.date | None) -> str:
    number = _compact(value)
    if len(number) != 18:
        raise ValidationError(
            _("An identity card or residence permit number has 18 characters, but %(length)d were entered."),
            code="ric_length",
            params={"length": len(number)},
        )
    for position, char in enumerate(number, start=1):
        allowed = _DIGITS if position < 18 else _DIGITS | {"X"}
        if char not in allowed:
            raise ValidationError(
                _(
                    'The character "%(char)s" at position %(position)d is not '
                    "allowed: the first 17 characters are digits and the last "
                    "is a digit or X."
                ),
                code="ric_characters",
                params={"char": char, "position": position},
            )
    raw_date = number[6:14]
    birth: datetime.date | None
    try:
        birth = datetime.date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:]))
    except ValueError:
        birth = None
    if birth is None or not _RIC_EARLIEST_BIRTH <= birth <= (today or _china_today()):
        raise ValidationError(
            _(
                "Characters 7 to 14 of this number should be the date of birth "
                '(YYYYMMDD), but "%(date)s" is not a possible date of birth.'
            ),
            code="ric_birth_date",
            params={"date": raw_date},
        )
    expected = ric_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _(
                "The last character of this number is wrong: expected "
                "%(expected)s, found %(found)s. One of the digits has probably "
                "been mistyped."
            ),
            code="ric_checksum",
            params={"expected": expected, "found": number[17]},
        )
    return number


def validate_resident_id(value: str, *, today: datetime.date | None = None) -> str:
    """Validate an 18-character resident identity card number.

    Checks length, characters, the birth date (a real date, not before 1900
    and not after ``today``, default: the current date) and the check
    character.  The region code is not checked against a table because
    divisions are renamed and merged over time.

    Error codes: ``ric_length``, ``ric_characters``, ``ric_birth_date``,
    ``ric_checksum``.
    """
    return _validate_gb11643(value, today)


def validate_residence_permit(value: str, *, today: datetime.date | None = None) -> str:
    """Validate a residence permit number.

    Residence permits for Hong Kong, Macau and Taiwan residents use the
    GB 11643 structure with region 810000, 820000 or 830000; mainland permit
    numbers use ordinary regions.  Both are accepted: the checks (and error
    codes) are exactly those of :func:`validate_resident_id`.  The separate
    entry point records which document the caller asked for.
    """
    return _validate_gb11643(value, today)


def ric_region(value: str) -> str:
    """Return the six-digit region code of a resident ID / residence permit."""
    return _validate_gb11643(value, None)[:6]


def is_guangdong_resident_id(value: str) -> bool:
    """Whether a resident ID was issued in Guangdong (region ``44xxxx``).

    Raises :class:`ValidationError` if ``value`` is not a valid number.
    """
    return ric_region(value).startswith(GUANGDONG_REGION_PREFIX)


# --------------------------------------------------------------------------
# CNIPA (China National Intellectual Property Administration) application no.
# --------------------------------------------------------------------------

_CNIPA_NEW_WEIGHTS: Final = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_CNIPA_OLD_WEIGHTS: Final = (2, 3, 4, 5, 6, 7, 8, 9)
# Optional "CN"/"ZL" prefix, 12 (new form, since 2003) or 8 (old form)
# digits, optional dot, check character.
_CNIPA_RE: Final = re.compile(r"(?:CN|ZL)?([0-9]{12}|[0-9]{8})\.?([0-9X])")
_CNIPA_TYPES: Final = {
    "1": _("invention"),
    "2": _("utility model"),
    "3": _("design"),
    "8": _("PCT invention (entering China)"),
    "9": _("PCT utility model (entering China)"),
}
_CNIPA_INVENTION_TYPES: Final = frozenset({"1", "8"})


def cnipa_check_char(digits: str) -> str:
    """Return the check character for 12 (new form) or 8 (old form) digits.

    Raises :class:`ValueError` for any other input.
    """
    if not _is_ascii_digits(digits) or len(digits) not in (8, 12):
        raise ValueError(f"expected 8 or 12 digits, got {digits!r}")
    weights = _CNIPA_NEW_WEIGHTS if len(digits) == 12 else _CNIPA_OLD_WEIGHTS
    check = sum(int(c) * w for c, w in zip(digits, weights, strict=True)) % 11
    return "X" if check == 10 else str(check)


@dataclass(frozen=True)
class CnipaApplicationNumber:
    """A parsed CNIPA application number, e.g. ``201310123456.2``."""

    digits: str
    check: str
    type_digit: str
    old_format: bool

    @property
    def canonical(self) -> str:
        return f"{self.digits}.{self.check}"

    @property
    def is_invention(self) -> bool:
        """Invention (1) or PCT invention entering China (8)."""
        return self.type_digit in _CNIPA_INVENTION_TYPES

    def __str__(self) -> str:
        return self.canonical


def parse_cnipa_application_number(value: str) -> CnipaApplicationNumber:
    """Parse a CNIPA application number.

    Accepts ``201310123456.2``, ``CN 201310123456.2``, ``ZL2013101234562``
    and the pre-2003 form ``98123456.9``.  Error codes: ``cnipa_format``,
    ``cnipa_type`` and ``cnipa_checksum``.
    """
    match = _CNIPA_RE.fullmatch(_compact(value, ""))
    if match is None:
        raise ValidationError(
            _(
                "Enter the Chinese application number as 12 digits, a dot and "
                "a check digit (e.g. 201310123456.2), or for applications filed "
                "before October 2003 as 8 digits, a dot and a check digit "
                "(e.g. 98123456.9)."
            ),
            code="cnipa_format",
        )
    digits, check = match.groups()
    old_format = len(digits) == 8
    type_digit = digits[2] if old_format else digits[4]
    if type_digit not in _CNIPA_TYPES:
        raise ValidationError(
            _(
                'The type digit of this application number is "%(type)s", but '
                "CNIPA only uses 1, 2, 3, 8 or 9. Check that the number was "
                "copied correctly."
            ),
            code="cnipa_type",
            params={"type": type_digit},
        )
    expected = cnipa_check_char(digits)
    if check != expected:
        raise ValidationError(
            _(
                "The check digit after the dot is wrong: for %(digits)s it should "
                "be %(expected)s, not %(found)s. One of the digits has probably "
                "been mistyped."
            ),
            code="cnipa_checksum",
            params={"digits": digits, "expected": expected, "found": check},
        )
    return CnipaApplicationNumber(digits, check, type_digit, old_format)


def validate_cnipa_application_number(value: str) -> str:
    """Validate any CNIPA application number; return e.g. ``201310123456.2``."""
    return parse_cnipa_application_number(value).canonical


def validate_cnipa_invention_number(value: str) -> str:
    """Validate a CNIPA application number that can found an HK standard patent.

    Only invention applications (type 1, or 8 for PCT applications entering
    China) can be re-registered as a Hong Kong standard patent; other types
    raise code ``cnipa_not_invention``.
    """
    number = parse_cnipa_application_number(value)
    if not number.is_invention:
        raise ValidationError(
            _(
                "%(number)s is a %(type)s application. Only Chinese invention "
                "applications (type digit 1, or 8 for PCT applications entering "
                "China) can be the basis of a Hong Kong standard patent under the "
                "re-registration route. Enter the number of the invention "
                "application instead."
            ),
            code="cnipa_not_invention",
            params={
                "number": number.canonical,
                "type": _CNIPA_TYPES[number.type_digit],
            },
        )
    return number.canonical


# --------------------------------------------------------------------------
# Hong Kong patent / publication numbers
# --------------------------------------------------------------------------

# Separators are only allowed between the parts, so that a stray digit
# after a space ("HK1234567 1") is not silently glued onto the number.
_HK_RE: Final = re.compile(r"HK[\s-]*([0-9]{7,8})(?:[\s-]*([A-Z][0-9]?))?")


@dataclass(frozen=True)
class HKPatentNumber:
    """A Hong Kong patent or publication number, e.g. ``HK1234567 B``."""

    digits: str
    kind: str  # "" when no kind code was given

    @property
    def canonical(self) -> str:
        return f"HK{self.digits} {self.kind}" if self.kind else f"HK{self.digits}"

    @property
    def key(self) -> str:
        """The patent's identity, without the kind code (A/B/...)."""
        return f"HK{self.digits}"

    def __str__(self) -> str:
        return self.canonical


def parse_hk_patent_number(value: str) -> HKPatentNumber:
    """Parse ``hk 1234567b`` and the like.  Error code: ``hk_number_format``."""
    match = _HK_RE.fullmatch(unicodedata.normalize("NFKC", value).strip().upper())
    if match is None:
        raise ValidationError(
            _(
                "Enter the Hong Kong patent number as HK followed by 7 or 8 "
                "digits and, optionally, the kind code, e.g. HK1234567 B or "
                "HK30012345 A."
            ),
            code="hk_number_format",
        )
    digits, kind = match.groups()
    return HKPatentNumber(digits, kind or "")


def validate_hk_patent_number(value: str) -> str:
    """Validate a Hong Kong patent number; return e.g. ``HK1234567 B``."""
    return parse_hk_patent_number(value).canonical


# --------------------------------------------------------------------------
# Banking and contact details
# --------------------------------------------------------------------------


def validate_cnaps_code(value: str) -> str:
    """Validate a 12-digit CNAPS bank code.  Error code: ``cnaps_format``."""
    code = _compact(value)
    if len(code) != 12 or not _is_ascii_digits(code):
        raise ValidationError(
            _("A CNAPS bank code (联行号) has exactly 12 digits; ask your bank branch if you do not know it."),
            code="cnaps_format",
        )
    return code


_MOBILE_RE: Final = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")
_HK_PHONE_RE: Final = re.compile(r"(?:\+|00)?852([2-9][0-9]{7})")
# Area codes 010 and 020-029 have two digits after the 0, all others three.
_LANDLINE_RE: Final = re.compile(r"(?:(?:\+86|0086)0?|0)(10|2[0-9]|[3-9][0-9]{2})([0-9]{7,8})")


def validate_phone(value: str) -> str:
    """Validate a mainland mobile or landline number, or a Hong Kong number.

    Returns ``13800138000``, ``020-12345678`` or ``+852 21234567``.  Error
    code: ``phone_format``.
    """
    number = _compact(value, "-()")
    if match := _MOBILE_RE.fullmatch(number):
        return match.group(1)
    if match := _HK_PHONE_RE.fullmatch(number):
        return f"+852 {match.group(1)}"
    if match := _LANDLINE_RE.fullmatch(number):
        return f"0{match.group(1)}-{match.group(2)}"
    raise ValidationError(
        _(
            "Enter a mainland mobile number (e.g. 13800138000), a landline with "
            "its area code (e.g. 020-12345678) or a Hong Kong number with +852 "
            "(e.g. +852 21234567)."
        ),
        code="phone_format",
    )


def validate_bank_account_number(value: str) -> str:
    """Validate a bank account number: 8 to 30 digits, spaces ignored.

    Error code: ``bank_account_format``.
    """
    number = _compact(value, "")
    if not 8 <= len(number) <= 30 or not _is_ascii_digits(number):
        raise ValidationError(
            _(
                "A bank account number consists of 8 to 30 digits (spaces are "
                "ignored); check it against your bank card or passbook."
            ),
            code="bank_account_format",
        )
    return number


# Names that reach the bank: pain.001 allows at most 140 characters in a name (Max140Text),
# and Chinese banks take Chinese and Latin letters, digits, spaces and a little
# punctuation. Control characters, symbols and emoji are refused where the name is
# typed, so that one payee can never make a whole batch's file unproducible.
PAYEE_NAME_MAX = 140
_NAME_PUNCTUATION: Final = frozenset(" .,'()（）-/&·+?:")


def validate_payee_name(value: str) -> str:
    """Validate a name printed on a payment: trimmed, inner runs of spaces collapsed,
    at most 140 characters of letters (any script), ASCII digits, spaces and
    ``. , ' ( ) （ ） - / & · + ? :``.

    Error codes: ``name_length``, ``name_characters``.
    """
    name = " ".join(str(value).split())
    if len(name) > PAYEE_NAME_MAX:
        raise ValidationError(
            _("A name may have at most %(max)d characters (this one has %(count)d).")
            % {"max": PAYEE_NAME_MAX, "count": len(name)},
            code="name_length",
        )
    wrong = sorted(
        {
            char
            for char in name
            if not (unicodedata.category(char)[0] in "LM" or ("0" <= char <= "9") or char in _NAME_PUNCTUATION)
        }
    )
    if wrong:
        shown = " ".join(repr(char)[1:-1] if unicodedata.category(char)[0] == "C" else char for char in wrong)
        raise ValidationError(
            _("A name may contain letters, digits, spaces and . , ' ( ) - / & · + ? : only; remove %(chars)s.")
            % {"chars": shown},
            code="name_characters",
        )
    return name


def payee_name_key(value: str) -> str:
    """A name as compared with another: full-width forms folded (NFKC), case and spaces
    ignored, so that 深圳市某某科技有限公司 matches 深圳市某某科技有限公司 typed with
    other brackets or spacing."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


# --------------------------------------------------------------------------
# Identifier fields: what was typed, read the way its validator reads it
# --------------------------------------------------------------------------


def compact_code(value: str) -> str:
    """A code without spaces or hyphens, upper case, full-width folded: how the USCC,
    identity number and CNAPS validators read what was typed."""
    return _compact(value)


def compact_spaces(value: str) -> str:
    """Without spaces (hyphens kept), upper case, full-width folded: how the bank
    account and phone validators read what was typed."""
    return _compact(value, "")


def tidy_spaces(value: str) -> str:
    """Upper case, full-width folded, each run of spaces one space: for numbers whose
    parts a space separates (``HK1234567 B``), where removing it could glue a stray
    digit onto the number."""
    return " ".join(unicodedata.normalize("NFKC", value).upper().split())


#: How each identifier field of applicants and patents reads what was typed, by field
#: name. Forms and the API apply it before checking the stored length, so a number
#: pasted with spaces or in lower case counts the characters it is stored with.
IDENTIFIER_INPUT: Final[dict[str, Callable[[str], str]]] = {
    "uscc": compact_code,
    "id_number": compact_code,
    "cnaps_code": compact_code,
    "bank_account_number": compact_spaces,
    "phone": compact_spaces,
    "number": tidy_spaces,  # a patent number
    "priority_number": tidy_spaces,
    "designated_application_number": tidy_spaces,
}


@dataclass(frozen=True)
class MaxIdentifierLength:
    """The stored length of an identifier, checked on the normalised value: the error
    counts the characters that would be stored, not the spaces pasted with them."""

    limit: int

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise ValidationError(
                _("Enter at most %(max)d characters (extra spaces are not counted); %(count)d were entered."),
                code="identifier_length",
                params={"max": self.limit, "count": len(value)},
            )
