"""Patent and application numbers of the patent offices whose patents a scheme may fund.

:func:`parse_patent_number` reads the number of a granted patent (the number on its
grant certificate) and :func:`parse_application_number` the number of an application,
for the priority application that ties a family of patents together.  Both take what a
person typed with the office they chose, forgive presentation (spaces, digit grouping,
letter case, full-width characters, the office code typed or not, the kind code after
a grant number) and return a frozen value with a canonical ``number``, or raise
:class:`django.core.exceptions.ValidationError` with a stable ``code`` and a message
that shows the expected form with an example.  Pure functions: no database, no network.

Canonical numbers carry the office code and keep only the separators that structure the
number (``JP2023-123456``, ``US17/123456``, ``CN202310123456.6``); digit grouping is
dropped (``US11234567``).  A check digit is verified where the office defines one that
can be computed (CNIPA, EPO) and said where none exists.

Hong Kong numbers and CNIPA application numbers are read by :mod:`subsidy.identifiers`,
which also serves the Hong Kong scheme's forms, so both read a number the same way.
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
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidy.identifiers import (
    CnipaApplicationNumber,
    parse_cnipa_application_number,
    parse_hk_patent_number,
    tidy_spaces,
)

__all__ = [
    "APPLICATION_NUMBER_EXAMPLES",
    "PATENT_NUMBER_EXAMPLES",
    "PCT_OFFICE",
    "ApplicationNumber",
    "Office",
    "PatentNumber",
    "ep_check_digit",
    "parse_application_number",
    "parse_patent_number",
]


class Office(models.TextChoices):
    """Offices whose granted patents a scheme may accept, by WIPO ST.3 code."""

    HK = "HK", _("Hong Kong")
    CN = "CN", _("Chinese mainland")
    US = "US", _("United States")
    EP = "EP", _("European Patent Office")
    JP = "JP", _("Japan")
    KR = "KR", _("Republic of Korea")
    GB = "GB", _("United Kingdom")


#: The ST.3 code of an international (PCT) application, which no office grants as such.
PCT_OFFICE: Final = "WO"

#: One well-formed number per office, for placeholders and help texts.
PATENT_NUMBER_EXAMPLES: Final[dict[str, str]] = {
    Office.HK: "HK1234567 B",
    Office.CN: "ZL202310123456.6",
    Office.US: "US 11,234,567 B2",
    Office.EP: "EP 3 456 789 B1",
    Office.JP: "JP 7123456 B2",
    Office.KR: "KR 10-2345678 B1",
    Office.GB: "GB 2512345 B",
}
APPLICATION_NUMBER_EXAMPLES: Final[dict[str, str]] = {
    Office.CN: "CN 202310123456.6",
    Office.US: "US 17/123,456",
    Office.EP: "EP 19123456.6",
    Office.JP: "JP 2023-123456",
    Office.KR: "KR 10-2023-0123456",
    Office.GB: "GB 1712345",
    PCT_OFFICE: "PCT/CN2023/123456",
}


@dataclass(frozen=True)
class PatentNumber:
    """A granted patent's number: ``number`` is its identity, ``kind`` the kind code
    typed after it (``""`` when none was), ``display`` how the office prints it."""

    office: Office
    number: str
    kind: str
    display: str
    # False only for Chinese utility models and designs, which share the ZL series.
    is_invention: bool = True

    def __str__(self) -> str:
        return self.display


@dataclass(frozen=True)
class ApplicationNumber:
    """An application's number; ``office`` is an :class:`Office` value, or
    :data:`PCT_OFFICE` for an international application."""

    office: str
    number: str
    display: str

    def __str__(self) -> str:
        return self.display


# --------------------------------------------------------------------------
# Reading what was typed
# --------------------------------------------------------------------------

# Dashes NFKC leaves alone: hyphen, non-breaking hyphen, figure and en/em dashes, minus,
# and the katakana prolonged sound mark a Japanese input method gives for "-".
_DASHES: Final = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc"), "-")


def _normalise(value: str) -> str:
    """NFKC (full-width digits and letters to ASCII), dashes to "-", upper case,
    without whitespace (str.isspace() covers the ideographic space)."""
    text = unicodedata.normalize("NFKC", str(value)).translate(_DASHES).upper()
    return "".join(char for char in text if not char.isspace())


def _without(text: str, separators: str) -> str:
    return "".join(char for char in text if char not in separators)


def _this_year(today: datetime.date | None) -> int:
    return (today or datetime.datetime.now(tz=ZoneInfo("Asia/Shanghai")).date()).year


def _check_year(year: int, first: int, today: datetime.date | None) -> None:
    if not first <= year <= _this_year(today):
        raise ValidationError(
            _(
                "This application number gives %(year)s as the filing year, which is not "
                "possible: numbers of this form run from %(first)s to this year. Check the number."
            ),
            code="application_year",
            params={"year": year, "first": first},
        )


def _two_digit_year(yy: str) -> int:
    # EPO and UKIPO numbering with two-digit years began in 1978.
    return (1900 if int(yy) >= 78 else 2000) + int(yy)


# A leading office code that is not the chosen office's: the person picked the wrong
# office or pasted another member of the family.
_CODE_OFFICES: Final = {
    "HK": Office.HK,
    "CN": Office.CN,
    "ZL": Office.CN,
    "US": Office.US,
    "EP": Office.EP,
    "JP": Office.JP,
    "KR": Office.KR,
    "GB": Office.GB,
}


def _refuse_other_office(office: Office, text: str) -> None:
    other = _CODE_OFFICES.get(text[:2])
    if other is not None and other != office:
        raise ValidationError(
            _(
                'This number starts with %(prefix)s, which stands for "%(other)s", but the '
                'office chosen is "%(office)s". Choose the office the number belongs to, or '
                "correct the number."
            ),
            code="patent_office_mismatch",
            params={"prefix": text[:2], "other": other.label, "office": office.label},
        )


def _office(office: str) -> Office:
    try:
        return Office(str(office).upper())
    except ValueError:
        raise ValidationError(_("Choose a patent office from the list."), code="patent_office") from None


# --------------------------------------------------------------------------
# Granted patents
# --------------------------------------------------------------------------

# Kind codes of grants (WIPO ST.16: B is the second publication level, that of the grant).
_GRANT_KINDS: Final[dict[Office, tuple[str, ...]]] = {
    # USPTO since 2001 (WIPO ST.16 codes): B1 granted without, B2 after, a pre-grant
    # publication; A1/A2 are application publications.
    Office.US: ("B1", "B2"),
    # EPO: B1 patent specification, B2 amended after opposition, B3 after limitation,
    # B8/B9 corrected title page / reprint (epo.org "Definitions"; Espacenet help "Kind codes").
    Office.EP: ("B1", "B2", "B3", "B8", "B9"),
    # JPO since 1996: B1 granted without, B2 after, publication of the application
    # (EPO Asian patent information, "Numbering system - Japan").
    Office.JP: ("B1", "B2"),
    # KIPO: B1 granted patent publication (EPO, "Numbering system - Korea").
    Office.KR: ("B1",),
    # UKIPO: A application publication, B the granted patent under the same number.
    Office.GB: ("B",),
}


def _check_kind(office: Office, kind: str) -> str:
    if kind and kind not in _GRANT_KINDS[office]:
        raise ValidationError(
            _(
                '"%(kind)s" is not the kind code of a granted patent of this office, whose '
                "grants carry %(kinds)s. Enter the number of the granted patent, not of its "
                "application publication."
            ),
            code="patent_kind",
            params={"kind": kind, "kinds": ", ".join(_GRANT_KINDS[office])},
        )
    return kind


def _with_kind(text: str, kind: str) -> str:
    return f"{text} {kind}" if kind else text


def _hk_patent(text: str) -> PatentNumber:
    # Hong Kong standard and short-term patents: HK and 7 digits, or 8 digits since the
    # 2019 reform (HK30012345); no check digit. Read by subsidy.identifiers.
    tidy = tidy_spaces(text)
    if tidy[:1].isdigit():
        tidy = f"HK{tidy}"
    number = parse_hk_patent_number(tidy)
    return PatentNumber(Office.HK, number.key, number.kind, number.canonical)


# CN grant announcement numbers (授权公告号): 1, 2 or 3 for the type, 6 then (since 2007,
# EPO "New number series for A, C and Y Chinese documents") 8 more digits, and a kind code.
_CN_PUBLICATION_RE: Final = re.compile(r"CN[123](?:[0-9]{8}|[0-9]{6})[A-Z][0-9]?")
_CN_LABEL_RE: Final = re.compile(r"(?:专利号|PATENTNO\.?):?")


def _cn_year(number: CnipaApplicationNumber, today: datetime.date | None) -> None:
    # Twelve-digit numbers began in October 2003 (CNIPA standard ZC 0006-2003).
    if not number.old_format:
        _check_year(int(number.digits[:4]), 2003, today)


def _cn_patent(text: str, today: datetime.date | None) -> PatentNumber:
    # The CN patent number (专利号) on the certificate is ZL followed by the application
    # number with its check digit (CNIPA standard ZC 0006-2003, "Standard for Patent
    # Application Number"); the grant announcement number CN…B is a different series, so
    # only the ZL form is taken, which also names the patent's own application.
    text = _CN_LABEL_RE.sub("", text, count=1)
    if _CN_PUBLICATION_RE.fullmatch(text):
        raise ValidationError(
            _(
                "%(number)s is the publication number of the grant announcement, not the "
                "patent number. Enter the patent number printed on the certificate: ZL "
                "followed by the application number, e.g. ZL202310123456.6."
            ),
            code="cn_publication_number",
            params={"number": text},
        )
    _refuse_other_office(Office.CN, text)
    try:
        number = parse_cnipa_application_number(text)
    except ValidationError as error:
        if error.code != "cnipa_format":
            raise
        raise ValidationError(
            _(
                "Enter the Chinese patent number as printed on the certificate: ZL, the "
                "12-digit application number, a dot and the check digit, e.g. ZL202310123456.6."
            ),
            code="cn_patent_format",
        ) from None
    _cn_year(number, today)
    return PatentNumber(
        Office.CN, f"ZL{number.canonical}", "", f"ZL{number.canonical}", is_invention=number.is_invention
    )


# US utility patents: "six, seven or eight digits", typed without commas or leading zeroes
# (USPTO PAIR help, "Patent Number"); No. 10,000,000 issued on 19 June 2018. No check
# digit. Design (D), plant (PP) and reissue (RE) patents are numbered apart and are not
# taken.
_US_PATENT_RE: Final = re.compile(r"(?:US)?(?:PAT(?:ENT)?)?(?:NO)?0*([1-9][0-9]{6,7})([A-Z][0-9]?)?")


def _us_patent(text: str) -> PatentNumber:
    match = _US_PATENT_RE.fullmatch(_without(text, ",.-"))
    if match is None:
        raise ValidationError(
            _(
                "Enter the US patent number as 7 or 8 digits, optionally with US before it "
                "and the kind code after it, e.g. US 11,234,567 B2."
            ),
            code="us_patent_format",
        )
    digits, kind = match.group(1), _check_kind(Office.US, match.group(2) or "")
    return PatentNumber(Office.US, f"US{digits}", kind, _with_kind(f"US {int(digits):,}", kind))


# EP publication numbers (A and B documents share them): 7 digits, printed "EP 3 456 789
# B1"; no check digit (the check digit belongs to the application number).
_EP_PATENT_RE: Final = re.compile(r"(?:EP)?([0-9]{7})([A-Z][0-9]?)?")


def _ep_patent(text: str) -> PatentNumber:
    match = _EP_PATENT_RE.fullmatch(_without(text, ",-"))
    if match is None:
        raise ValidationError(
            _(
                "Enter the European patent number as 7 digits, optionally with EP before it "
                "and the kind code after it, e.g. EP 3 456 789 B1."
            ),
            code="ep_patent_format",
        )
    digits, kind = match.group(1), _check_kind(Office.EP, match.group(2) or "")
    shown = f"EP {digits[0]} {digits[1:4]} {digits[4:]}"
    return PatentNumber(Office.EP, f"EP{digits}", kind, _with_kind(shown, kind))


# JP patent numbers (特許第7123456号): 7 digits without a year, from 2,500,001 for grants
# under the 1996 law (EPO Asian patent information, "Numbering system - Japan"); no check
# digit.
_JP_PATENT_RE: Final = re.compile(r"(?:JP)?(?:特許)?第?([1-9][0-9]{6})号?([A-Z][0-9]?)?")


def _jp_patent(text: str) -> PatentNumber:
    match = _JP_PATENT_RE.fullmatch(_without(text, ",.-"))
    if match is None:
        raise ValidationError(
            _(
                "Enter the Japanese patent number as 7 digits, optionally with JP before it "
                "and the kind code after it, e.g. JP 7123456 B2 or 特許第7123456号."
            ),
            code="jp_patent_format",
        )
    digits, kind = match.group(1), _check_kind(Office.JP, match.group(2) or "")
    return PatentNumber(Office.JP, f"JP{digits}", kind, _with_kind(f"JP {digits}", kind))


# KR registration numbers since May 1999: 2-digit type of right (10 patent, 20 utility
# model, 30 design) and 7 digits, "10-2345678" (EPO Asian patent information, "Numbering
# system - Korea"); KIPRIS adds "-0000". No check digit. Hyphens stay significant here so
# that an application number (10-2023-0123456) is not read as a registration.
_KR_PATENT_RE: Final = re.compile(r"(?:KR)?(?:특허)?제?([0-9]{2})-?([0-9]{7})(?:-?0000)?호?([A-Z][0-9]?)?")


def _kr_patent(text: str) -> PatentNumber:
    match = _KR_PATENT_RE.fullmatch(_without(text, ",."))
    if match is None:
        raise ValidationError(
            _(
                "Enter the Korean patent number as 10, a hyphen and 7 digits, optionally "
                "with KR before it and the kind code after it, e.g. KR 10-2345678 B1."
            ),
            code="kr_patent_format",
        )
    right, serial = match.group(1), match.group(2)
    if right != "10":
        raise ValidationError(
            _(
                "A Korean patent number begins with 10 (e.g. 10-2345678); a number "
                "beginning with %(type)s is not a patent for invention."
            ),
            code="kr_patent_type",
            params={"type": right},
        )
    kind = _check_kind(Office.KR, match.group(3) or "")
    return PatentNumber(Office.KR, f"KR10{serial}", kind, _with_kind(f"KR 10-{serial}", kind))


# GB publication numbers: one 7-digit series since 1978, A for the application and B for
# the grant under the same number (British Library, "British patent numbers", 2008); no
# check digit.
_GB_PATENT_RE: Final = re.compile(r"(?:GB)?([0-9]{7})([A-Z][0-9]?)?")


def _gb_patent(text: str) -> PatentNumber:
    match = _GB_PATENT_RE.fullmatch(_without(text, ",-"))
    if match is None:
        raise ValidationError(
            _(
                "Enter the UK patent number as 7 digits, optionally with GB before it and "
                "the kind code after it, e.g. GB 2512345 B."
            ),
            code="gb_patent_format",
        )
    digits, kind = match.group(1), _check_kind(Office.GB, match.group(2) or "")
    return PatentNumber(Office.GB, f"GB{digits}", kind, _with_kind(f"GB {digits}", kind))


_PATENT_PARSERS: Final[dict[Office, Callable[[str], PatentNumber]]] = {
    Office.US: _us_patent,
    Office.EP: _ep_patent,
    Office.JP: _jp_patent,
    Office.KR: _kr_patent,
    Office.GB: _gb_patent,
}


def parse_patent_number(office: str, value: str, *, today: datetime.date | None = None) -> PatentNumber:
    """Read the number of a patent granted by ``office`` (an :class:`Office` value).

    ``today`` (default: the date in China) bounds the filing year read from a CN patent
    number.  Error codes: ``patent_office``, ``patent_office_mismatch``,
    ``patent_number_international``, ``patent_kind``, ``<office>_patent_format`` for
    cn/us/ep/jp/kr/gb, ``hk_number_format``, ``cn_publication_number``, ``cnipa_type``,
    ``cnipa_checksum``, ``application_year``, ``kr_patent_type``.
    """
    chosen = _office(office)
    text = _normalise(value)
    if text.startswith(("PCT", "WO")):
        raise ValidationError(
            _(
                "An international (PCT) application or publication is not a granted patent. "
                "Enter the number of the patent granted by the office chosen."
            ),
            code="patent_number_international",
        )
    if chosen == Office.CN:
        return _cn_patent(text, today)
    _refuse_other_office(chosen, text)
    if chosen == Office.HK:
        # The Hong Kong reader splits number and kind code on spaces, so it gets the
        # text before whitespace is removed.
        return _hk_patent(unicodedata.normalize("NFKC", str(value)).translate(_DASHES))
    return _PATENT_PARSERS[chosen](text)


# --------------------------------------------------------------------------
# Applications (priority and family)
# --------------------------------------------------------------------------


def ep_check_digit(digits: str) -> str:
    """The check digit of an 8-digit EP application number.

    Digits are weighted 1, 2, 1, 2, … from the left, the digits of the products summed,
    and the check digit is what brings the sum to a multiple of ten (the Luhn scheme),
    as the EPO's OPS support describes it (forums.epo.org, "EP application number check
    digit algorithm", 2022); the EPO Guidelines A-II 1.8 give the number as nine digits,
    the last a check digit.  Raises :class:`ValueError` unless ``digits`` is 8 ASCII digits.
    """
    if len(digits) != 8 or not all("0" <= char <= "9" for char in digits):
        raise ValueError(f"expected 8 digits, got {digits!r}")
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def _cn_application(text: str, today: datetime.date | None) -> ApplicationNumber:
    number = parse_cnipa_application_number(text)
    _cn_year(number, today)
    return ApplicationNumber(Office.CN, f"CN{number.canonical}", f"CN {number.canonical}")


# EP application numbers: 2-digit year, 6 digits, a dot and the check digit (EPO
# Guidelines A-II 1.8.1 and 1.8.2; WIPO DAS "EP 16000312.7"). The check digit is often
# left off in databases, so it is optional here and always present in the canonical form.
_EP_APPLICATION_RE: Final = re.compile(r"(?:EP)?([0-9]{8})(?:\.?([0-9]))?")


def _ep_application(text: str, today: datetime.date | None) -> ApplicationNumber:
    match = _EP_APPLICATION_RE.fullmatch(_without(text, ",-"))
    if match is None:
        raise ValidationError(
            _(
                "Enter the European application number as 8 digits, optionally followed by "
                "a dot and the check digit, e.g. EP 19123456.6."
            ),
            code="ep_application_format",
        )
    digits, check = match.groups()
    expected = ep_check_digit(digits)
    if check is not None and check != expected:
        raise ValidationError(
            _(
                "The check digit after the dot is wrong: for %(digits)s it should "
                "be %(expected)s, not %(found)s. One of the digits has probably "
                "been mistyped."
            ),
            code="ep_application_checksum",
            params={"digits": digits, "expected": expected, "found": check},
        )
    _check_year(_two_digit_year(digits[:2]), 1978, today)
    return ApplicationNumber(Office.EP, f"EP{digits}.{expected}", f"EP {digits}.{expected}")


# US application numbers: 2-digit series code, a slash and a 6-digit serial, printed
# "17/123,456" (MPEP 503; WIPO DAS "US 98/012,357"); no check digit. Series 01-28 are
# non-provisional (utility, plant, reissue) and 60-69 provisional applications; 29 and 35
# are designs, 90 and above re-examinations, none of which found a patent family.
_US_APPLICATION_RE: Final = re.compile(r"(?:US)?([0-9]{2})/?([0-9]{6})")


def _us_application(text: str) -> ApplicationNumber:
    match = _US_APPLICATION_RE.fullmatch(_without(text, ",.-"))
    if match is None:
        raise ValidationError(
            _(
                "Enter the US application number as the 2-digit series code, a slash and "
                "the 6-digit serial number, e.g. US 17/123,456."
            ),
            code="us_application_format",
        )
    series, serial = match.groups()
    if not (1 <= int(series) <= 28 or 60 <= int(series) <= 69):
        raise ValidationError(
            _(
                "The series code %(series)s does not belong to a patent application: US "
                "patent applications use 01 to 28, provisional applications 60 to 69. "
                "Check the number."
            ),
            code="us_application_series",
            params={"series": series},
        )
    return ApplicationNumber(Office.US, f"US{series}/{serial}", f"US {series}/{serial[:3]},{serial[3:]}")


# JP application numbers (特願2023-123456): 4-digit Western year since 2000, a hyphen and
# 6 digits (EPO "Numbering system - Japan"; WIPO DAS "JP 2010-001234"); no check digit.
# Earlier numbers used imperial years, but those applications are past their 20-year term.
_JP_APPLICATION_RE: Final = re.compile(r"(?:JP)?(?:特願|特許出願)?(?:第)?([0-9]{4})-?([0-9]{6})号?")


def _jp_application(text: str, today: datetime.date | None) -> ApplicationNumber:
    match = _JP_APPLICATION_RE.fullmatch(_without(text, ",."))
    if match is None:
        raise ValidationError(
            _(
                "Enter the Japanese application number as the 4-digit year, a hyphen and 6 "
                "digits, e.g. JP 2023-123456 or 特願2023-123456."
            ),
            code="jp_application_format",
        )
    year, serial = match.groups()
    _check_year(int(year), 2000, today)
    return ApplicationNumber(Office.JP, f"JP{year}-{serial}", f"JP {year}-{serial}")


# KR application numbers since 1998: type of right, 4-digit year, 7 digits, "10-2023-
# 0123456" (EPO "Numbering system - Korea"); no check digit. A utility model (20) can
# found a priority claim too.
_KR_APPLICATION_RE: Final = re.compile(r"(?:KR)?(?:출원)?(?:제)?([0-9]{2})-?([0-9]{4})-?([0-9]{7})호?")


def _kr_application(text: str, today: datetime.date | None) -> ApplicationNumber:
    match = _KR_APPLICATION_RE.fullmatch(_without(text, ",."))
    if match is None:
        raise ValidationError(
            _(
                "Enter the Korean application number as the 2-digit type, the 4-digit year "
                "and 7 digits, e.g. KR 10-2023-0123456."
            ),
            code="kr_application_format",
        )
    right, year, serial = match.groups()
    if right not in ("10", "20"):
        raise ValidationError(
            _(
                "Korean application numbers of patents begin with 10 and of utility models "
                "with 20; %(type)s is neither."
            ),
            code="kr_application_type",
            params={"type": right},
        )
    _check_year(int(year), 1998, today)
    return ApplicationNumber(Office.KR, f"KR{right}-{year}-{serial}", f"KR {right}-{year}-{serial}")


# GB application numbers: 2-digit year and 5 digits, sometimes followed by a dot and a
# check digit that "can be ignored" (British Library, "British patent numbers", 2008).
# UKIPO publishes no way to compute it, so it is accepted unchecked and left out of the
# canonical form.
_GB_APPLICATION_RE: Final = re.compile(r"(?:GB)?([0-9]{7})(?:\.([0-9]))?")


def _gb_application(text: str, today: datetime.date | None) -> ApplicationNumber:
    match = _GB_APPLICATION_RE.fullmatch(_without(text, ",-"))
    if match is None:
        raise ValidationError(
            _(
                "Enter the UK application number as 7 digits, optionally followed by a dot "
                "and the check digit, e.g. GB 1712345.6."
            ),
            code="gb_application_format",
        )
    digits = match.group(1)
    _check_year(_two_digit_year(digits[:2]), 1978, today)
    return ApplicationNumber(Office.GB, f"GB{digits}", f"GB {digits}")


# International applications: PCT, the receiving office's ST.3 code, the 4-digit year and
# a 6-digit serial, "PCT/SE2004/000001", the form used since 1 January 2004 (PCT
# Administrative Instructions, Section 307); no check digit.
_PCT_APPLICATION_RE: Final = re.compile(r"PCT/?([A-Z]{2})/?([0-9]{4})/?([0-9]{6})")


def _pct_application(text: str, today: datetime.date | None) -> ApplicationNumber:
    match = _PCT_APPLICATION_RE.fullmatch(_without(text, ",.-"))
    if match is None:
        raise ValidationError(
            _(
                "Enter the international application number as PCT, the receiving office "
                "code, the 4-digit year and 6 digits, e.g. PCT/CN2023/123456."
            ),
            code="pct_application_format",
        )
    receiving, year, serial = match.groups()
    _check_year(int(year), 2004, today)
    number = f"PCT/{receiving}{year}/{serial}"
    return ApplicationNumber(PCT_OFFICE, number, number)


_APPLICATION_PARSERS: Final[dict[Office, Callable[[str, datetime.date | None], ApplicationNumber]]] = {
    Office.CN: _cn_application,
    Office.EP: _ep_application,
    Office.JP: _jp_application,
    Office.KR: _kr_application,
    Office.GB: _gb_application,
}


def parse_application_number(office: str, value: str, *, today: datetime.date | None = None) -> ApplicationNumber:
    """Read an application number of ``office`` (an :class:`Office` value or
    :data:`PCT_OFFICE`); a number typed as ``PCT/…`` is read as an international
    application whichever office was chosen, since a receiving office is one too.

    ``today`` (default: the date in China) bounds the filing year.  Error codes:
    ``patent_office``, ``patent_office_mismatch``, ``application_office_unsupported``,
    ``application_year``, ``<office>_application_format`` for ep/us/jp/kr/gb/pct,
    ``ep_application_checksum``, ``us_application_series``, ``kr_application_type``,
    and for CN those of :func:`subsidy.identifiers.parse_cnipa_application_number`.
    """
    text = _normalise(value)
    if str(office).upper() == PCT_OFFICE:
        return _pct_application(text, today)
    chosen = _office(office)
    if text.startswith("PCT"):
        return _pct_application(text, today)
    if chosen == Office.HK:
        raise ValidationError(
            _(
                'Application numbers from "%(office)s" cannot be entered here. Enter the '
                "application the patent is based on or claims priority from, e.g. a Chinese, "
                "European or PCT application."
            ),
            code="application_office_unsupported",
            params={"office": chosen.label},
        )
    _refuse_other_office(chosen, text)
    if chosen == Office.US:
        return _us_application(text)
    return _APPLICATION_PARSERS[chosen](text, today)
