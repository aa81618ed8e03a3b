"""Each catalogue (Simplified Chinese, Traditional Chinese, English) is complete, in step
with the code, keeps every placeholder and loads at run time. No database: the checks
read, regenerate and compile .po files only.

Fix commands, from the project root:
    regenerate:  .venv/bin/python manage.py makemessages -l zh_Hans -l zh_Hant -l en
                 --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks
                 --ignore=node_modules --no-obsolete
    translate:   the new entries of all three (README, "Translations")
    compile:     make messages
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from subsidy.chinese import HK_USAGE
from subsidy.models import ApplicationStatus

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
# Every language of settings.LANGUAGES, as a locale directory name, with its plural rule.
PLURAL_FORMS = {
    "zh_Hans": "nplurals=1; plural=0;",
    "zh_Hant": "nplurals=1; plural=0;",
    "en": "nplurals=2; plural=(n != 1);",
}
LOCALES = tuple(PLURAL_FORMS)


def po_file(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


# The same directories the documented makemessages command leaves out.
IGNORED = (".venv", "var", "tests", "benchmarks", "node_modules")
MAKEMESSAGES = (
    f"cd {ROOT} && .venv/bin/python manage.py makemessages "
    + " ".join(f"-l {locale}" for locale in LOCALES)
    + " "
    + " ".join(f"--ignore={name}" for name in IGNORED)
    + " --no-obsolete"
)
# Extensions makemessages reads for the "django" domain.
SOURCE_SUFFIXES = (".py", ".html", ".txt")


# --------------------------------------------------------------------------
# A small .po reader: msgctxt, msgid, msgid_plural, msgstr[n], multi-line strings.
# --------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return context + repr(self.msgid)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+"(.*)"$')
_CONTINUATION = re.compile(r'^"(.*)"$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), text)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, the header included; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            target = None
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword_match = _KEYWORD.match(line)
        continuation = _CONTINUATION.match(line)
        if keyword_match:
            keyword, index, value = keyword_match.groups()
            if keyword == "msgctxt" or (keyword == "msgid" and (current is None or current.msgstr)):
                current = Entry(flags=flags)
                flags = set()
                entries.append(current)
            assert current is not None, f"{path}:{number}: {keyword} before msgid"
            target = (keyword, int(index or 0))
            _append(current, target, _unescape(value))
        elif continuation and current is not None and target is not None:
            _append(current, target, _unescape(continuation[1]))
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, keyword, (getattr(entry, keyword) or "") + text)


def messages(path: Path) -> list[Entry]:
    return [entry for entry in parse_po(path) if not entry.is_header]


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"GNU gettext's {name} is not installed. Fix with: apt-get install -y gettext", pytrace=False)
    return found


# --------------------------------------------------------------------------
# (a) complete: every message translated, nothing fuzzy.
# --------------------------------------------------------------------------


def test_every_language_has_a_catalogue(settings: Any) -> None:
    assert sorted(translation.to_locale(code) for code, _name in settings.LANGUAGES) == sorted(LOCALES)
    for locale in LOCALES:
        assert po_file(locale).is_file(), f"no catalogue for {locale}; fix with: {MAKEMESSAGES}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_fully_translated(locale: str, tmp_path: Path) -> None:
    path = po_file(locale)
    result = subprocess.run(  # noqa: S603
        [_program("msgfmt"), "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},  # English statistics
        check=False,
    )
    entries = parse_po(path)
    untranslated = [str(e) for e in entries if not e.is_header and not all(e.msgstr.values())]
    fuzzy = [str(e) if not e.is_header else "(header)" for e in entries if "fuzzy" in e.flags]
    assert result.returncode == 0 and re.fullmatch(r"\d+ translated messages?\.", result.stderr.strip()), (
        f"msgfmt --check --statistics reports more than translated messages for {path}:\n{result.stderr}"
        f"untranslated: {untranslated}\nfuzzy: {fuzzy}\n"
        "Translate every entry, keep its placeholders, and remove every '#, fuzzy' flag."
    )
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_forms_header(locale: str) -> None:
    header = next(entry for entry in parse_po(po_file(locale)) if entry.is_header).msgstr[0]
    assert f"Language: {locale}\n" in header
    assert f"Plural-Forms: {PLURAL_FORMS[locale]}\n" in header
    count = int(PLURAL_FORMS[locale].split(";")[0].removeprefix("nplurals="))
    for entry in messages(po_file(locale)):
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == list(range(count)), f"{locale} {entry}: fill msgstr[0..{count - 1}]"


# --------------------------------------------------------------------------
# (b) current: makemessages on the code gives exactly the committed msgids.
# --------------------------------------------------------------------------


def _copy_ignored(directory: str, names: list[str]) -> set[str]:
    """Copy only what makemessages reads: no ignored, hidden or locale directories."""
    top_level = Path(directory) == ROOT
    ignored = set()
    for name in names:
        path = Path(directory, name)
        if name.startswith(".") or name == "__pycache__" or (top_level and name in (*IGNORED, "locale")):
            ignored.add(name)
        elif not path.is_dir() and path.suffix not in SOURCE_SUFFIXES:
            ignored.add(name)
    return ignored


def test_catalogue_is_up_to_date_with_the_code(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for program in ("xgettext", "msguniq", "msgmerge", "msgattrib"):
        _program(program)
    # makemessages adopts any ./locale directory it walks past (Django 5.2
    # MakeMessagesCommand.find_files puts it first in its locale paths), so run from
    # the project root it would rewrite the real catalogue whatever LOCALE_PATHS
    # says. Run it on a copy of the sources, which has no locale directory: then
    # every file falls back to LOCALE_PATHS[0], the temporary catalogue.
    sources = tmp_path / "src"
    shutil.copytree(ROOT, sources, ignore=_copy_ignored)
    regenerated_dir = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, regenerated_dir)
    settings.LOCALE_PATHS = [str(regenerated_dir)]
    monkeypatch.chdir(sources)
    committed_text = {locale: po_file(locale).read_bytes() for locale in LOCALES}

    call_command("makemessages", locale=list(LOCALES), ignore_patterns=list(IGNORED), no_obsolete=True, verbosity=0)

    problems = []
    for locale in LOCALES:
        assert po_file(locale).read_bytes() == committed_text[locale], "makemessages wrote to the real catalogue"
        committed = {entry.key for entry in messages(po_file(locale))}
        current = {entry.key for entry in messages(regenerated_dir / locale / "LC_MESSAGES" / "django.po")}
        problems += [f"  {locale} missing: {key}\n" for key in sorted(current - committed, key=str)]
        problems += [f"  {locale} no longer used: {key}\n" for key in sorted(committed - current, key=str)]
    assert not problems, (
        "A catalogue is out of date with the code.\n"
        + "".join(problems)
        + f"Fix with: {MAKEMESSAGES}\nthen translate the new entries."
    )


# --------------------------------------------------------------------------
# (c) placeholders and markup survive translation.
# --------------------------------------------------------------------------

# One %-formatting token, read left to right as Python does: "%%", "%(name)s",
# "%s"/"%d", or a lone "%" (which breaks formatting when the msgid has none).
_FORMAT = re.compile(r"%(?:(%)|(\(\w+\))?([#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]))?")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass(frozen=True)
class Formatting:
    named: frozenset[str]
    positional: tuple[str, ...]
    literal_percent: int
    lone_percent: int


def formatting(text: str) -> Formatting:
    named, positional, literal, lone = set(), [], 0, 0
    for match in _FORMAT.finditer(text):
        double, name, spec = match.groups()
        if double:
            literal += 1
        elif name:
            named.add(match[0])
        elif spec:
            positional.append(match[0])
        else:
            lone += 1
    return Formatting(frozenset(named), tuple(positional), literal, lone)


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match(locale: str) -> None:
    wrong = []
    for entry in messages(po_file(locale)):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        expected = [formatting(source) for source in sources]
        # One form for every count (Chinese) must carry every placeholder; where forms
        # follow the source (English: singular, plural), each matches its own source.
        one_per_source = len(sources) > 1 and len(entry.msgstr) == len(sources)
        for index, text in entry.msgstr.items():
            if not text:
                continue
            source = expected[index] if one_per_source else expected[-1]
            expected_named = source.named if one_per_source else frozenset().union(*(f.named for f in expected))
            found = formatting(text)
            if found.named != expected_named:
                wrong.append(f"{entry} msgstr[{index}]: {sorted(found.named)}, expected {sorted(expected_named)}")
            elif "python-format" in entry.flags and found != Formatting(
                expected_named, source.positional, source.literal_percent, source.lone_percent
            ):
                wrong.append(
                    f"{entry} msgstr[{index}]: %-formatting differs ({found} vs {source}); "
                    "a literal percent sign is written %% in this message"
                )
    assert wrong == [], "Placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_markup_and_line_breaks_match(locale: str) -> None:
    wrong = []
    for entry in messages(po_file(locale)):
        for index, text in entry.msgstr.items():
            if text and sorted(_TAG.findall(text)) != sorted(_TAG.findall(entry.msgid)):
                wrong.append(f"{entry} msgstr[{index}]: HTML tags differ")
            if text and text.count("\n") != entry.msgid.count("\n"):
                wrong.append(f"{entry} msgstr[{index}]: line breaks differ")
    assert wrong == [], "\n".join(wrong)


# --------------------------------------------------------------------------
# (d) the compiled catalogue loads and translates.
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "guangzhou", "script"),
    [
        ("zh-hans", "广州", r"[\u4e00-\u9fff]"),
        ("zh-hant", "廣州", r"[\u4e00-\u9fff]"),
        ("en", "Guangzhou", r"^[ -~]+$"),
    ],
)
def test_compiled_catalogue_translates(
    language: str, guangzhou: str, script: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    locale = translation.to_locale(language)
    po_path = po_file(locale)
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        # `make messages` normally builds it before pytest; rebuild this one only.
        _program("msgfmt")
        monkeypatch.chdir(LOCALE_DIR)
        settings.LOCALE_PATHS = [str(LOCALE_DIR)]
        call_command("compilemessages", locale=[locale], verbosity=0)
    # Setting LOCALE_PATHS drops Django's cached catalogues, so the .mo is read afresh.
    settings.LOCALE_PATHS = [str(LOCALE_DIR)]
    catalogue = {entry.msgid: entry.msgstr for entry in messages(po_path) if entry.msgctxt is None}

    with translation.override(language):
        status = str(ApplicationStatus.SUBMITTED.label)
        count = translation.ngettext("%(n)s application", "%(n)s applications", 3) % {"n": 3}
        city = translation.gettext("Guangzhou")

    assert status == catalogue["Submitted"][0], f"{language} does not load; fix with: make messages"
    assert re.search(script, status)
    assert count == catalogue["%(n)s application"][max(catalogue["%(n)s application"])] % {"n": 3}
    assert city == guangzhou


def test_traditional_differs_from_simplified() -> None:
    """zh_Hant is converted (OpenCC s2hk), not a copy of zh_Hans."""
    simplified = {entry.key: entry.msgstr for entry in messages(po_file("zh_Hans"))}
    traditional = {entry.key: entry.msgstr for entry in messages(po_file("zh_Hant"))}
    differing = [key for key, text in traditional.items() if text != simplified.get(key)]
    assert len(differing) > len(traditional) // 2, "zh_Hant looks like a copy of zh_Hans: convert it with OpenCC s2hk"


# Mainland words a Hong Kong reader would not use (scripts/fill-translations.py applies HK_USAGE).
MAINLAND_WORDS = [mainland for mainland, _hong_kong in HK_USAGE]


def test_traditional_chinese_reads_as_written_in_hong_kong() -> None:
    found = [
        (word, str(entry))
        for entry in messages(po_file("zh_Hant"))
        for text in entry.msgstr.values()
        for word in MAINLAND_WORDS
        if word in text
    ]
    assert not found, "zh_Hant uses mainland words (run scripts/fill-translations.py): " + repr(found[:10])


# --------------------------------------------------------------------------
# Django's own messages, worded by the site (subsidy/django_wording.py).
# --------------------------------------------------------------------------


def test_django_messages_reworded_by_the_site_are_still_djangos() -> None:
    """A msgid that Django no longer uses would silently stop rewording its message."""
    import ast

    import django

    django_root = Path(django.__file__).parent
    django_keys = {
        entry.key
        for catalogue in (django_root / "conf", django_root / "contrib" / "auth")
        for entry in messages(catalogue / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    }
    tree = ast.parse((ROOT / "subsidy" / "django_wording.py").read_text(encoding="utf-8"))
    listed = [
        (None, *(str(argument.value) if isinstance(argument, ast.Constant) else None for argument in call.args[:2]))
        if call.func.id == "ngettext_lazy"
        else (None, str(call.args[0].value) if isinstance(call.args[0], ast.Constant) else None, None)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    ]
    assert len(listed) > 30
    assert [key for key in listed if key not in django_keys] == []
