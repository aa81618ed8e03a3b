from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidy.statecharts import DIAGRAMS, mermaid_state_diagram, update_readme


class Command(BaseCommand):
    help = "Print the application and batch state diagrams (Mermaid), or write them into README.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help="replace the diagrams in README.md")
        parser.add_argument("--check", action="store_true", help="fail if README.md's diagrams are out of date")

    def handle(self, *args: Any, **options: Any) -> None:
        readme = Path(settings.BASE_DIR) / "README.md"
        if options["write"] or options["check"]:
            current = readme.read_text(encoding="utf-8")
            try:
                wanted = update_readme(current)
            except ValueError as error:
                raise CommandError(str(error)) from error
            if options["check"]:
                if wanted != current:
                    raise CommandError(
                        "README.md's state diagrams are out of date: run manage.py state_diagram --write"
                    )
                self.stdout.write("README.md's state diagrams match the models.")
            else:
                readme.write_text(wanted, encoding="utf-8")
                self.stdout.write("README.md's state diagrams written.")
            return
        for name, model in DIAGRAMS.items():
            self.stdout.write(f"%% {name}\n{mermaid_state_diagram(model)}")
