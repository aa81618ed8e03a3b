from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from subsidy.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_START_PAGES


class Command(BaseCommand):
    help = "Print where the site is and who to sign in as (the last thing `make run` says)."

    def handle(self, *args: Any, **options: Any) -> None:
        base = settings.PUBLIC_BASE_URL
        lines = [
            "",
            "=" * 72,
            f"  The subsidy system is running: {base}/",
            f"  Demo accounts, password for all: {DEMO_PASSWORD}",
            "",
        ]
        for email, role in DEMO_ACCOUNTS:
            lines.append(f"  {email:<28} {role.value:<18} {base}{reverse(DEMO_START_PAGES[role])}")
        lines += [
            "",
            f"  Public notice: {base}{reverse('public_notice')}   API: {base}/api/docs/   Admin: {base}/admin/",
            "  Stop with Ctrl-C.",
            "=" * 72,
            "",
        ]
        self.stdout.write("\n".join(lines))
