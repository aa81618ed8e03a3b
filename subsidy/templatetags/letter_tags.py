"""Filters for letters: dates and amounts written the same way whatever the site language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from subsidy.amounts import to_cents

register = template.Library()


@register.filter
def zh_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


@register.filter
def en_date(value: dt.date | None) -> str:
    return f"{value.day} {value.strftime('%B')} {value.year}" if value else ""


@register.filter
def money(value: Decimal | None) -> str:
    """12,345.67: thousands separators and always two decimals."""
    return "" if value is None else f"{to_cents(value):,.2f}"
