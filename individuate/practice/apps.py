from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "individuate.practice"
    label = "practice"
    verbose_name = "Practice"

    def ready(self) -> None:
        from individuate.boundaries.signals import consent_withdrawn

        consent_withdrawn.connect(_connection_ended, dispatch_uid="practice-connection-ended")


def _connection_ended(
    sender: object, *, client: object, therapist: object, ended: bool = False, **kwargs: object
) -> None:
    if ended:
        from .actions import cancel_for_ended_connection

        cancel_for_ended_connection(client, therapist)  # type: ignore[arg-type]
