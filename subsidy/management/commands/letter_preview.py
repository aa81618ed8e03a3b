from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidy.letters.render import render_letter
from subsidy.letters.samples import sample_letter
from subsidy.models.choices import LetterChinese, LetterKind


class Command(BaseCommand):
    help = "Render a sample letter to PDF from templates/letters/, without touching the database."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="where to write the PDF")
        parser.add_argument("--applicant-name", help="the applicant's name, e.g. 深圳市堃珺科技有限公司")
        parser.add_argument("--amount", help="the approved amount in CNY, e.g. 12345.67")
        parser.add_argument("--kind", choices=[LetterKind.APPROVAL, LetterKind.REJECTION], default=LetterKind.APPROVAL)
        parser.add_argument("--sample", type=int, default=0, help="which sample letter to start from")
        parser.add_argument(
            "--chinese",
            choices=LetterChinese.values,
            default=LetterChinese.SIMPLIFIED,
            help="Simplified (zh-hans) or Traditional (zh-hant) Chinese, with English below",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        amount = None
        if options["amount"] is not None:
            try:
                amount = Decimal(options["amount"])
            except InvalidOperation as error:
                raise CommandError(f"--amount must be a number such as 12345.67, not {options['amount']!r}") from error
            if not amount.is_finite() or amount < 0:
                raise CommandError("--amount must be a positive number")
        content = sample_letter(
            options["sample"],
            kind=options["kind"],
            applicant_name=options["applicant_name"],
            amount=amount,
            chinese=options["chinese"],
        )
        pdf = render_letter(content)
        out = Path(options["out"])
        out.write_bytes(pdf)
        self.stdout.write(f"Wrote {out} ({len(pdf) / 1024:.1f} KiB, {content.reference})")
