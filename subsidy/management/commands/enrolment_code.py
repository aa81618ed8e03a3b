from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from subsidy.permissions import user_is_staff_member
from subsidy.services.auth import otp_devices_reset


class Command(BaseCommand):
    help = (
        "Issue a staff account's one-time enrolment code from the server's command line (removing any "
        "authenticator app it has): how the first scheme administrator sets up two-step sign-in. "
        "Everyone else gets theirs from a scheme administrator on the staff accounts page."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="the staff member's email (their username)")
        parser.add_argument("--reason", required=True, help="kept in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["email"]).first()
        if user is None:
            raise CommandError(f"No account {options['email']!r}.")
        if not (user.is_staff or user_is_staff_member(user)):
            raise CommandError(f"{options['email']} is not staff: applicants sign in without an app.")
        try:
            reset = otp_devices_reset(user=user, by=None, reason=options["reason"], ip=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        until = timezone.localtime(reset.expires_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(f"Enrolment code for {user.username}: {reset.enrolment_code} (valid until {until})")
        if reset.devices_removed:
            self.stdout.write(f"Removed {reset.devices_removed} authenticator app(s); signed out everywhere.")
