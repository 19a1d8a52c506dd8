"""Print the current two-factor code of a *demo* account. Refuses for any other account."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection

from individuate.accounts.models import User


class Command(BaseCommand):
    help = "Print the current TOTP code for a demo account (never for a real one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def _set_up_demo_if_empty(self) -> None:
        """On a fresh checkout (the embedded SQLite database, not there yet or empty) do
        what ``make run`` would: create the database and the demo accounts. Never on any
        other database, and never where a single account exists."""
        try:
            empty = not User.objects.exists()
        except DatabaseError:  # no database yet, or not migrated
            empty = True
        if not empty:
            return
        if connection.vendor != "sqlite":
            raise CommandError("There are no demo accounts in this database (seed_demo creates them).")
        self.stderr.write("No demo data yet: creating the database and the demo accounts (as `make run` does)…")
        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", verbosity=0)

    def handle(self, *args: Any, **options: Any) -> None:
        self._set_up_demo_if_empty()
        user = User.objects.filter(email=options["email"].lower()).first()
        if user is None or not user.is_demo:
            raise CommandError("Refused: this command only works for accounts created by seed_demo.")
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError("This demo account has no two-factor authenticator.")
        secret = decrypt(authenticator.data["secret"])
        period = app_settings.TOTP_PERIOD
        now = time.time()
        code = format_hotp_value(hotp_value(secret, int(now) // period))
        self.stdout.write(f"{code}  (valid for about {period - int(now) % period} more seconds)")
