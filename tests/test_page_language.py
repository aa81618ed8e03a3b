"""Every page of the tour, rendered in Chinese, is in Chinese: no run of English words
that comes from the catalogue's own English (an untranslated message, a label frozen in
another language, a stored English code shown as it is). People's own data (names,
English titles, email addresses) may be English: only runs that also occur in a msgid
count."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from subsidy.demo import load_demo
from tests.e2e.tour_pages import demo_email, tour_pages
from tests.test_translations import messages, po_file

pytestmark = pytest.mark.django_db

RUN_LENGTH = 3  # words in a row that make English text, not a name or a code
APOSTROPHES = "'\u2019"  # the straight and the typographic apostrophe
WORD = re.compile(rf"[A-Za-z]+(?:[{APOSTROPHES}][a-z]+)?")
# Placeholders and template variables are not words of the message.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\{[^}]*\}\}|\{\w*\}")
# Attributes people read (or hear) as the page's text.
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "value")
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "option"}


def runs_of_words(text: str) -> list[list[str]]:
    """Runs of English words with nothing but spaces between them."""
    runs: list[list[str]] = []
    for chunk in re.split(rf"[^A-Za-z{APOSTROPHES} ]+", text):
        words = WORD.findall(chunk)
        if len(words) >= RUN_LENGTH:
            runs.append([word.lower() for word in words])
    return runs


def shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN_LENGTH]) for i in range(len(words) - RUN_LENGTH + 1)}


def catalogue_shingles() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for entry in messages(po_file("zh_Hans")):
        for text in (entry.msgid, entry.msgid_plural or ""):
            for run in runs_of_words(PLACEHOLDER.sub("|", text)):
                found |= shingles(run)
    return found


class VisibleText(HTMLParser):
    """The text a reader meets: text nodes and read attributes, outside scripts, code,
    and anything marked as another language (lang="en")."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._stack: list[bool] = [False]  # skipping?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        skip = self._stack[-1] or tag in SKIPPED_ELEMENTS or (attributes.get("lang") or "").startswith("en")
        if tag not in {"input", "img", "meta", "link", "br", "hr", "source", "wbr"}:
            self._stack.append(skip)
        if not skip and attributes.get("type") != "hidden":
            self.parts += [attributes[name] or "" for name in READ_ATTRIBUTES if name in attributes]

    def handle_endtag(self, tag: str) -> None:
        if len(self._stack) > 1 and tag not in {"input", "img", "meta", "link", "br", "hr", "source", "wbr"}:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._stack[-1]:
            self.parts.append(data)


def english_in(html: str, known: set[tuple[str, ...]]) -> list[str]:
    reader = VisibleText()
    reader.feed(html)
    leaks = []
    for part in reader.parts:
        for run in runs_of_words(part):
            if shingles(run) & known:
                leaks.append(" ".join(run))
    return leaks


def test_the_english_detector_finds_an_untranslated_message_and_spares_names():
    known = catalogue_shingles()
    assert english_in("<p>请查收邮件</p><p>Shenzhen Bright Star Technology Co Ltd</p>", known) == []
    assert english_in("<p>Reviewer workload</p>", known) == []  # two words: could be a name
    assert english_in("<p>Please correct the following</p>", known) == ["please correct the following"]
    assert english_in('<p lang="en">Please correct the following</p>', known) == []
    assert english_in('<button aria-label="Please correct the following">x</button>', known) != []


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_every_page_of_the_tour_in_chinese_has_no_english_from_the_catalogue(language):
    load_demo()
    known = catalogue_shingles()
    found = {}
    for page in tour_pages():
        client = Client(headers={"accept-language": language})
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if page.role is not None:
            client.force_login(get_user_model().objects.get(username=demo_email(page.role)))
        response = client.get(page.url)
        assert response.status_code == 200, page.name
        assert f'lang="{language}"' in response.content.decode(), page.name
        leaks = english_in(response.content.decode(), known)
        if leaks:
            found[page.name] = leaks
    assert not found, f"English on {language} pages: {found}"
