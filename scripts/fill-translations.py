"""Fill the zh_Hant and en catalogues from zh_Hans and the source strings.

A tool for translators, not a dependency of the site. Run from the project root after
makemessages and after translating the new zh_Hans entries by hand:

    pip install --target /tmp/i18n-tools polib==1.2.0
    PYTHONPATH=/tmp/i18n-tools .venv/bin/python scripts/fill-translations.py [--all]

zh_Hant: the zh_Hans text converted with OpenCC s2hk (Simplified -> Traditional, Hong
Kong standard), then Hong Kong words for mainland ones (subsidy/chinese.py: 登入, 電郵, 資料 ...).
en: msgstr = msgid (msgstr[1] = msgid_plural). Only empty or fuzzy
entries are filled, so hand corrections stay, unless --all. Fuzzy flags and msgmerge's
previous msgids are removed. Then run makemessages once more (gettext's own wrapping)
and `make messages`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
sys.path.insert(0, str(ROOT))
from subsidy.chinese import hong_kong_usage, to_hong_kong_traditional  # noqa: E402 - after the path


def catalogue(locale: str) -> Any:
    return polib.pofile(str(LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"), wrapwidth=79)


def needs_filling(entry: Any, everything: bool) -> bool:
    return everything or "fuzzy" in entry.flags or not entry.translated()


def settle(entry: Any) -> None:
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None


def main(everything: bool) -> int:
    simplified = catalogue("zh_Hans")
    source = {(e.msgctxt, e.msgid, e.msgid_plural): e for e in simplified if e.translated() and "fuzzy" not in e.flags}
    untranslated = [e.msgid for e in simplified if not e.translated() or "fuzzy" in e.flags]
    convert = to_hong_kong_traditional

    traditional = catalogue("zh_Hant")
    traditional.metadata.update({"Language": "zh_Hant", "Plural-Forms": "nplurals=1; plural=0;"})
    traditional.metadata_is_fuzzy = False
    for entry in traditional:
        original = source.get((entry.msgctxt, entry.msgid, entry.msgid_plural))
        if original is not None and needs_filling(entry, everything):
            if entry.msgid_plural:
                entry.msgstr_plural = {0: convert(original.msgstr_plural[0])}
            else:
                entry.msgstr = convert(original.msgstr)
            settle(entry)
        if entry.msgid_plural:
            entry.msgstr_plural = {k: hong_kong_usage(v) for k, v in entry.msgstr_plural.items()}
        else:
            entry.msgstr = hong_kong_usage(entry.msgstr)
    traditional.save()

    english = catalogue("en")
    english.metadata.update({"Language": "en", "Plural-Forms": "nplurals=2; plural=(n != 1);"})
    english.metadata_is_fuzzy = False
    for entry in english:
        if not needs_filling(entry, everything):
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        settle(entry)
    english.save()

    if untranslated:
        print("Translate these in locale/zh_Hans first, then run again:", *untranslated, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(everything="--all" in sys.argv[1:]))
