from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from workflows.models import QueueEntry
from workflows.queue_entries import queue_entries_refresh, queue_entries_stale


class Command(BaseCommand):
    help = (
        "Rebuild the staff queue's read model from the flow's tasks and the claims "
        "(after data was changed outside the application, e.g. by SQL); --check only reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="report differences and fail if any, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        stale = queue_entries_stale()
        if options["check"]:
            for line in stale:
                self.stdout.write(line)
            if stale:
                raise CommandError(f"{len(stale)} rows of the queue differ from the tasks: run manage.py queue_rebuild")
            self.stdout.write("The queue is in step with the tasks.")
            return
        with transaction.atomic():
            queue_entries_refresh()
        self.stdout.write(
            f"Rebuilt the queue: {QueueEntry.objects.count()} waiting tasks ({len(stale)} rows corrected)."
        )
