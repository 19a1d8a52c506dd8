from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class HealingConfig(AppConfig):
    name = "individuate.healing"
    label = "healing"
    verbose_name = "Healing plans"

    def ready(self) -> None:
        from individuate.core.records import (
            register_exporter,
            register_scope_page,
            register_section,
        )

        from . import records
        from .content import ContentError, example_scripts, plans

        try:  # a broken plan file stops start-up, naming the file and field
            plans()
            example_scripts()
        except ContentError as exc:
            raise ImproperlyConfigured(f"Healing plans: {exc}") from exc

        from .models import ExerciseAnswer, Goal, PlanEnrollment, Script, SmallStep, StepSuggestion

        register_exporter(
            "plan_goals", records.export_plan, label="Your plan and its goals", models=[PlanEnrollment, Goal]
        )
        register_exporter("small_steps", records.export_small_steps, label="Your small steps", models=[SmallStep])
        register_exporter(
            "plan_exercises", records.export_exercises, label="Your plan exercises", models=[ExerciseAnswer]
        )
        register_exporter("boundary_scripts", records.export_scripts, label="Your boundary scripts", models=[Script])
        register_exporter(
            "step_suggestions",
            records.export_suggestions,
            label="Small steps suggested by or to a therapist",
            models=[StepSuggestion],
        )
        register_section("plans", records.plans_section)
        register_scope_page("plans", "healing:client_plan")
