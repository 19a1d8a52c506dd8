from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class MeasuresConfig(AppConfig):
    name = "individuate.measures"
    label = "measures"
    verbose_name = "Measures"

    def ready(self) -> None:
        from individuate.core.records import (
            register_exporter,
            register_scope_page,
            register_section,
        )

        from . import records
        from .instruments import InstrumentError
        from .registry import instruments

        # Every instrument file is validated at start-up: a broken one stops the app,
        # naming the file and the field, instead of failing in front of a client.
        try:
            instruments()
        except InstrumentError as exc:
            raise ImproperlyConfigured(f"Measures: {exc}") from exc

        from .models import Assignment, Response, SafetyFlag, SafetyFlagSeen

        register_exporter(
            "measure_responses",
            records.export_responses,
            label="Your questionnaire answers and scores",
            models=[Response],
        )
        register_exporter(
            "safety_flags",
            records.export_flags,
            label="Answers that asked for care (safety flags)",
            models=[SafetyFlag],
        )
        register_exporter(
            "measure_assignments",
            records.export_assignments,
            label="Questionnaires your therapist asked you to repeat",
            models=[Assignment],
        )
        register_exporter(
            "safety_flags_seen",
            records.export_flags_seen,
            label="Safety flags you have seen (therapists)",
            models=[SafetyFlagSeen],
        )
        register_section("measures", records.measures_section)
        register_section("safety_flags", records.safety_flags_section)
        register_scope_page("measures", "measures:client_measures")

        from individuate.boundaries.signals import consent_withdrawn

        consent_withdrawn.connect(_stop_assignments, dispatch_uid="measures-stop-assignments")


def _stop_assignments(sender: object, *, client: object, therapist: object, scopes: set[str], **kwargs: object) -> None:
    if "measures" in scopes:
        from .actions import end_assignments_for

        end_assignments_for(client, therapist)  # type: ignore[arg-type]
