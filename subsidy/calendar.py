"""Mainland working days (public holidays and the weekend days worked in lieu,
from the `holidays` package), for the public notice period."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _mainland(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=[year - 1, year, year + 1])


def is_working_day(day: dt.date) -> bool:
    return bool(_mainland(day.year).is_working_day(day))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
