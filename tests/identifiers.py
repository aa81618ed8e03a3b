"""Check-digit-valid Chinese identifiers for tests, built the way the demo's data builds them."""

from __future__ import annotations

from subsidy.identifiers import cnipa_check_char, ric_check_char, uscc_check_char


def valid_uscc(region: str, serial: str) -> str:
    """A unified social credit code of an enterprise ("91") registered in `region`."""
    first17 = f"91{region}{serial}"
    return first17 + uscc_check_char(first17)


def valid_resident_id(region: str, birth: str, sequence: str) -> str:
    """A resident identity card number: region, birth date (YYYYMMDD) and sequence."""
    first17 = f"{region}{birth}{sequence}"
    return first17 + ric_check_char(first17)


def valid_cnipa(year: int, serial: str) -> str:
    """A CNIPA invention application number ("1") filed in `year`, with its check character."""
    digits = f"{year}1{serial}"
    return f"{digits}.{cnipa_check_char(digits)}"
