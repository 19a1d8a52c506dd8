from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "individuate.checkins"
    label = "checkins"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        from individuate.core.records import register_exporter, register_section

        from . import records

        register_exporter("checkins", records.export_checkins)
        register_exporter("contact_events", records.export_contacts)
        register_exporter("journal_entries", records.export_journal)
        register_exporter("coupling_reports", records.export_coupling)
        register_section("checkin", records.checkins_section)
        register_section("contact_event", records.contacts_section)
        register_section("journal_entry", records.journal_section)
        register_section("coupling_report", records.coupling_section)
