from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidy import backups


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump -Fc) and the private documents store into a new "
        "directory, with a manifest of row counts per table and the SHA-256 of every file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="new (or empty) directory to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backups.backup(out=options["out"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        database, files = manifest["database"], manifest["files"]
        self.stdout.write(
            f"{options['out']}: {len(database['tables'])} tables, {sum(database['tables'].values())} rows "
            f"(dump sha256 {database['sha256']}), {files['count']} files (archive sha256 {files['sha256']})"
        )
