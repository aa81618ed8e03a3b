from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from subsidy.scheduling import enqueue_due


class Command(BaseCommand):
    help = "Enqueue periodic jobs (lapsing overdue information requests, the daily review digest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between checks.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            # A long-lived process: drop a connection that broke or outlived CONN_MAX_AGE
            # (as Django does around each request), so a database restart is survived.
            close_old_connections()
            for name in enqueue_due():
                self.stdout.write(f"enqueued {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
