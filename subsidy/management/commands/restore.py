from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidy import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty PostgreSQL database and an empty "
        "storage directory, then verify row counts and file checksums against its manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the backup directory")
        parser.add_argument(
            "--database",
            help=(
                "target database as a libpq connection string or URI, e.g. "
                "postgresql://subsidy@db.example/subsidy_restored (password from PGPASSWORD or ~/.pgpass); "
                "default: the site's DATABASE_URL"
            ),
        )
        parser.add_argument(
            "--storage", type=Path, help="directory for the documents; default: the site's private storage"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a non-empty database (its public schema is dropped) and move a non-empty "
            "storage directory aside",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = backups.Target(conninfo=options["database"]) if options["database"] else None
        try:
            report = backups.restore(
                source=options["source"], database=target, storage=options["storage"], force=options["force"]
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        if report.moved_aside:
            self.stdout.write(f"The storage directory's previous contents are in {report.moved_aside}")
        self.stdout.write(
            f"Restored and verified: {report.tables} tables, {report.rows} rows, {report.files} files "
            "match the manifest."
        )
