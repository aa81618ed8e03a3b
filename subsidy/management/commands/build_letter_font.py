from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidy.letters.fonts import build_letter_font


class Command(BaseCommand):
    help = "Build the letter font (settings.LETTER_FONT_PATH) from the system's WenQuanYi Zen Hei."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="rebuild even if the font exists")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(settings.LETTER_FONT_PATH)
        if output.exists() and not options["force"]:
            return
        source = Path(settings.LETTER_FONT_SOURCE)
        if not source.exists():
            raise CommandError(f"{source} is missing. Fix with: apt-get install -y fonts-wqy-zenhei")
        build_letter_font(source=source, output=output)
        self.stdout.write(f"Built {output}")
