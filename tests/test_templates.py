"""Rules every template keeps, checked on the source so a new page keeps them too."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# A table scrolls inside its own box on a phone (static/css/site.css, "Narrow screens"):
# the box is a named region a keyboard can reach, as axe's scrollable-region rule asks.
SCROLL_BOX = re.compile(r'<div class="table-scroll"[^>]*role="region"[^>]*tabindex="0"[^>]*>\s*$')


def test_every_table_sits_in_a_scroll_box():
    unboxed = []
    for path in TEMPLATES.rglob("*.html"):
        if "letters" in path.parts or "emails" in path.parts:
            continue  # PDF letters and emails are not read on a phone's browser page
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            if not SCROLL_BOX.search(text[: match.start()][-400:]):
                unboxed.append(f"{path.relative_to(TEMPLATES)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert not unboxed, f"tables outside a scroll box: {unboxed}"
