"""The language switcher offers the three languages of settings.LANGUAGES and the
choice is remembered (a long-lived cookie) on the next visit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_switcher_offers_three_languages(client: Any) -> None:
    page = client.get(reverse("home")).content.decode()
    switcher = page[page.index('id="language-select"') : page.index("</select>")]
    offered = re.findall(r'<option value="([^"]+)" lang="[^"]+"(?: selected)?>([^<]+)</option>', switcher)
    assert offered == [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]


def test_switching_to_traditional_chinese_is_remembered(client: Any, settings: Any) -> None:
    response = client.post(reverse("set_language"), {"language": "zh-hant", "next": reverse("login")})
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hant"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600, "the choice outlives the browser session"

    page = client.get(reverse("home"), headers={"accept-language": "en"}).content.decode()
    assert '<html lang="zh-hant">' in page
    assert "登入" in page or "登錄" in page  # "Sign in", in Traditional characters
    assert '<option value="zh-hant" lang="zh-hant" selected>' in page
