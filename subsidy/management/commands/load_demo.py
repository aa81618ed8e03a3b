from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from subsidy.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent): every role, claims in every state across cities, two batches."

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo()
        self.stdout.write("Demo data ready (manage.py demo_accounts lists who to sign in as).")
