from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from subsidy.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo()
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for email, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role.label:<22} {email}")
        self.stdout.write("\nOpen http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)\n")
