"""The letter templates, in both Chinese scripts from one set of files.

`templates/letters/*.html` are written in Simplified Chinese. A Traditional Chinese
letter is the same template with its wording converted (subsidy/chinese.py): the
template `letters/zh-hant/approval.html` is `letters/approval.html` converted when it
is first loaded. Only the template's own text changes: the data it shows (names, patent
titles, reasons) comes from the snapshot as it was written. Template code is ASCII, so
conversion leaves it alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template import Engine, Origin
from django.template.loaders.filesystem import Loader as FilesystemLoader

from subsidy.chinese import to_hong_kong_traditional
from subsidy.models.choices import LetterChinese

TRADITIONAL_PREFIX = "letters/zh-hant/"


class TraditionalLetterLoader(FilesystemLoader):
    """Serves `letters/zh-hant/<name>` as `letters/<name>` in Traditional Chinese."""

    def get_template_sources(self, template_name: str) -> Iterator[Origin]:
        if not template_name.startswith(TRADITIONAL_PREFIX):
            return
        simplified = "letters/" + template_name.removeprefix(TRADITIONAL_PREFIX)
        for origin in super().get_template_sources(simplified):
            yield Origin(name=origin.name, template_name=template_name, loader=self)

    def get_contents(self, origin: Origin) -> str:
        # {% extends "letters/base.html" %} becomes the Traditional base too.
        return to_hong_kong_traditional(super().get_contents(origin)).replace('"letters/', f'"{TRADITIONAL_PREFIX}')


@lru_cache(maxsize=1)
def letter_engine() -> Engine:
    """An engine of its own for letters: the site's templates plus the Traditional loader,
    every template compiled once per process."""
    template_dirs: Any = settings.TEMPLATES[0]["DIRS"]
    return Engine(
        dirs=template_dirs,
        loaders=[
            (
                "django.template.loaders.cached.Loader",
                ["subsidy.letters.templates.TraditionalLetterLoader", "django.template.loaders.filesystem.Loader"],
            )
        ],
        libraries={"letter_tags": "subsidy.templatetags.letter_tags"},
    )


def letter_template_name(kind_template: str, chinese: str) -> str:
    """`letters/approval.html`, or its Traditional Chinese twin."""
    if chinese == LetterChinese.TRADITIONAL:
        return TRADITIONAL_PREFIX + kind_template.removeprefix("letters/")
    return kind_template
