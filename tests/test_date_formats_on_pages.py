"""Every page writes a date one way per language: English "2 Nov 2026" and
"2 Nov 2026, 09:05", Chinese "2026年11月2日" and "2026年11月2日 09:05". Never a
numeric 02/11/2026 (2 November or February 11?) nor an ISO 2026-11-02 beside them.
Date inputs keep their ISO value (an attribute, not text the reader sees)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from subsidy.models import CostItem, Role
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    payable_application,
    staff_member,
    submitted_application,
    today,
    update_claim,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "zh-hant", "en")
# Day and month both at most 12, so a numeric date would be ambiguous.
SUBMITTED = dt.datetime(2026, 11, 2, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
GRANT_WINDOW_FROM = dt.date(2025, 11, 3)
PAID_ON = dt.date(2026, 10, 5)
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b")


def written(day: dt.date, language: str) -> str:
    """The one way each language writes a date."""
    return f"{day.day} {day:%b} {day.year}" if language == "en" else f"{day.year}年{day.month}月{day.day}日"


def written_with_time(moment: dt.datetime, language: str) -> str:
    separator = ", " if language == "en" else " "
    return f"{written(moment.date(), language)}{separator}{moment:%H:%M}"


def visible_text(html: str) -> str:
    """What the reader sees: no scripts, styles, inert templates, tags or attributes."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def claims():
    submitted = submitted_application()
    update_claim(submitted, submitted_at=SUBMITTED, updated_at=SUBMITTED)
    owner = submitted.created_by
    draft = ApplicationFactory(
        created_by=owner,
        applicant=submitted.applicant,
        funding_round=FundingRoundFactory(grant_date_from=GRANT_WINDOW_FROM),
    )
    CostItem.objects.filter(application=draft).update(paid_on=PAID_ON)
    noticed = payable_application()
    update_claim(noticed, notice_ends_on=today() + dt.timedelta(days=9))
    noticed.refresh_from_db()
    return {
        "submitted": submitted,
        "draft": draft,
        "noticed": noticed,
        "payable": payable_application(),
        "owner": owner,
    }


def pages(claims):
    """(who, URL, dates the page must show) for pages that show dates."""
    submitted, draft, noticed, payable = claims["submitted"], claims["draft"], claims["noticed"], claims["payable"]
    claim = {"pk": submitted.pk}
    at_submission = [("datetime", SUBMITTED)]
    return [
        (claims["owner"], reverse("portal:application_list"), at_submission),
        (claims["owner"], reverse("portal:application_detail", kwargs=claim), at_submission),
        (claims["owner"], reverse("portal:claim_patent", kwargs={"pk": draft.pk}), [("date", GRANT_WINDOW_FROM)]),
        (claims["owner"], reverse("portal:claim_review", kwargs={"pk": draft.pk}), [("date", PAID_ON)]),
        (None, reverse("public_notice"), [("date", noticed.notice_ends_on)]),
        ("reviewer", reverse("staff:application_list"), at_submission),
        ("reviewer", reverse("staff:application_detail", kwargs=claim), at_submission),
        ("reviewer", reverse("staff:queue"), [("date", SUBMITTED.date())]),
        ("finance", reverse("staff:batch_new"), [("date", payable.decided_at.astimezone(SUBMITTED.tzinfo).date())]),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_write_dates_one_way_per_language(client, claims, language):
    people = {"reviewer": staff_member(Role.REVIEWER), "finance": staff_member(Role.FINANCE_OFFICER)}
    problems = []
    for who, url, expected in pages(claims):
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if who is not None:
            client.force_login(people[who] if isinstance(who, str) else who)
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        problems += [f"{url}: numeric date {match!r}" for match in NUMERIC_DATE.findall(text)]
        for kind, value in expected:
            shown = written_with_time(value, language) if kind == "datetime" else written(value, language)
            if shown not in text:
                problems.append(f"{url}: {shown!r} not shown")
    assert not problems, f"{language}:\n  " + "\n  ".join(problems)


def test_a_date_input_keeps_its_iso_value_in_every_language(client, claims):
    draft = claims["draft"]
    client.force_login(claims["owner"])
    for language in LANGUAGES:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("portal:claim_costs", kwargs={"pk": draft.pk})).content.decode()
        assert re.search(rf'<input type="date" name="costs-0-paid_on" value="{PAID_ON.isoformat()}"', page)
