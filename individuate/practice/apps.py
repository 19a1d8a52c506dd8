from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "individuate.practice"
    label = "practice"
    verbose_name = "Practice"

    def ready(self) -> None:
        from individuate.boundaries.signals import consent_withdrawn
        from individuate.core.records import register_eraser, register_exporter

        from . import records
        from .models import (
            Appointment,
            AppointmentEvent,
            AvailabilityException,
            ContactRequest,
            PracticeProfile,
            WeeklyHours,
        )

        register_exporter(
            "appointments",
            records.export_appointments,
            label="Your appointments and their history",
            models=[Appointment, AppointmentEvent],
        )
        register_exporter(
            "practice_settings",
            records.export_practice,
            label="Your practice settings, weekly hours and days off",
            models=[PracticeProfile, WeeklyHours, AvailabilityException],
        )
        register_exporter(
            "contact_requests",
            records.export_contact_requests,
            label="Requests sent to you from your public page",
            models=[ContactRequest],
        )

        # The public page's photo is a file in the storage, not a row: remove it with the account.
        register_eraser("practice_photo", _erase_photo)
        consent_withdrawn.connect(_connection_ended, dispatch_uid="practice-connection-ended")


def _erase_photo(user: object) -> None:
    from django.db import transaction

    from .models import PracticeProfile

    profile = PracticeProfile.objects.filter(therapist_id=getattr(user, "pk", None)).first()
    if profile is not None and profile.photo:
        name = profile.photo.name
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(name))


def _connection_ended(
    sender: object, *, client: object, therapist: object, ended: bool = False, **kwargs: object
) -> None:
    if ended:
        from .actions import cancel_for_ended_connection

        cancel_for_ended_connection(client, therapist)  # type: ignore[arg-type]
