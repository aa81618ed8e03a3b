"""Dates, numbers and amounts are written the way each of the three languages writes them."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATE = Template(
    "{% load subsidy_tags %}"
    '{{ day|date:"DATE_FORMAT" }}|{{ day|date:"SHORT_DATE_FORMAT" }}|'
    '{{ moment|date:"SHORT_DATETIME_FORMAT" }}|{{ amount|money }}|{{ small|money }}|{{ none|money }}'
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # One way to write a date per language, in tables too: never 05/03/2026.
        ("zh-hans", "2026年3月5日|2026年3月5日|2026年3月5日 14:07|1,234,567.80|0.50|"),
        ("zh-hant", "2026年3月5日|2026年3月5日|2026年3月5日 14:07|1,234,567.80|0.50|"),
        ("en", "5 Mar 2026|5 Mar 2026|5 Mar 2026, 14:07|1,234,567.80|0.50|"),
    ],
)
def test_dates_and_amounts_per_language(language, expected):
    context = Context(
        {
            "day": dt.date(2026, 3, 5),
            "moment": dt.datetime(2026, 3, 5, 14, 7, tzinfo=ZoneInfo("Asia/Shanghai")),
            "amount": Decimal("1234567.8"),
            "small": Decimal("0.499"),
            "none": None,
        }
    )
    with translation.override(language):
        assert TEMPLATE.render(context) == expected


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_an_iso_date_is_accepted_in_every_language(language):
    """<input type="date"> sends ISO dates whatever the page language."""
    from django import forms

    class DayForm(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        form = DayForm({"day": "2026-03-05"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == dt.date(2026, 3, 5)
