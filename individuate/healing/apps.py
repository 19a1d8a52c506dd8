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

        register_exporter("plan_goals", records.export_plan)
        register_exporter("small_steps", records.export_small_steps)
        register_exporter("plan_exercises", records.export_exercises)
        register_exporter("boundary_scripts", records.export_scripts)
        register_section("plans", records.plans_section)
        register_scope_page("plans", "client_plan")
