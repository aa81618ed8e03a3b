from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidy.exceptions import DomainError
from subsidy.models import ExportFormat
from subsidy.services import batches


def operator(email: str | None) -> Any:
    """The person the audit trail names; none means the system (shell access is the permission)."""
    if not email:
        return None
    try:
        return get_user_model().objects.get(username=email)
    except get_user_model().DoesNotExist as error:
        raise CommandError(f"No user {email}.") from error


class Command(BaseCommand):
    help = "Export a released disbursement batch as a bank file (the same service as the finance pages)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="batch reference, e.g. DEMO-BATCH-1")
        parser.add_argument("--format", required=True, choices=ExportFormat.values, dest="export_format")
        parser.add_argument("--out", required=True, type=Path, help="file to write")
        parser.add_argument("--user", help="finance user's login to record as the exporter")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            batch = batches.batch_by_reference(options["reference"])
            exported = batches.batch_export(
                batch=batch, export_format=options["export_format"], by=operator(options["user"])
            )
        except batches.ExportRefused as error:
            raise CommandError("\n".join([str(error.message), *error.problems])) from error
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        out: Path = options["out"]
        # Written beside the target and renamed when complete: an interrupted copy
        # never leaves a truncated bank file under the name the bank upload expects.
        partial = out.with_name(out.name + ".part")
        try:
            with exported.file as source, partial.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
                target.flush()
                os.fsync(target.fileno())
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"{out}  {exported.record.size} bytes  sha256 {exported.sha256}")
