from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "individuate.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from django.contrib.admin.models import LogEntry

        from . import checks  # noqa: F401  (registers the system checks)
        from .mail import forget_mail_to
        from .models import OutgoingEmail
        from .records import leave_out, register_eraser

        def erase_queued_mail(user: object) -> None:
            addresses = {e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
            forget_mail_to(addresses | {user.email.lower()})  # type: ignore[attr-defined]

        register_eraser("queued_mail", erase_queued_mail, models=[OutgoingEmail])

        leave_out(OutgoingEmail, "mail waiting for the worker (seconds); erased with the person it is for or about")
        leave_out(EmailAddress, "the addresses are in the profile export; deleted with the account")
        leave_out(Authenticator, "two-factor secrets are never exported; deleted with the account")
        leave_out(LogEntry, "the operator's admin history; entries about the person are erased with the account")
