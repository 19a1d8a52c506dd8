from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    name = "individuate.boundaries"
    label = "boundaries"
    verbose_name = "Boundaries"

    def ready(self) -> None:
        from . import records
        from individuate.core.records import register_exporter, register_section

        register_exporter("others", records.export_others)
        register_exporter("family_links", records.export_family_links)
        register_exporter("therapist_connections", records.export_connections)
        register_exporter("consent_grants", records.export_grants)
        register_exporter("access_log", records.export_access_log)
        register_section("others", records.others_section)
