from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from subsidy.exceptions import DomainError
from subsidy.management.commands.export_batch import operator
from subsidy.services import batches


class Command(BaseCommand):
    help = "Reconcile a batch with the bank's return file (pain.002 XML, CSV or XLSX); a repeated file changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="batch reference, e.g. DEMO-BATCH-1")
        parser.add_argument("file", type=Path, help="the bank's return file")
        parser.add_argument("--user", help="finance user's login to record as the importer")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        try:
            batch = batches.batch_by_reference(options["reference"])
            result = batches.batch_import_return(
                batch=batch, data=data, filename=path.name, by=operator(options["user"])
            )
        except batches.ReturnFileUnreadable as error:
            raise CommandError("\n".join([str(error.message), *error.problems])) from error
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        if result.repeated:
            when = timezone.localtime(result.bank_return.imported_at)
            self.stdout.write(f"Already imported at {when:%Y-%m-%d %H:%M}; nothing changed.")
            return
        self.stdout.write(f"paid {result.paid}, failed {result.failed}, reported {len(result.reported)}")
        for item in result.reported:
            self.stdout.write(f"  {item['reference']}: {item['problem']} {item['detail']}".rstrip())
        batch.refresh_from_db()
        self.stdout.write(f"batch {batch.reference}: {batch.status}")
