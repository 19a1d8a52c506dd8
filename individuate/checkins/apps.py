from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "individuate.checkins"
    label = "checkins"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        from individuate.core.records import register_exporter, register_kind, register_section

        from . import records
        from .models import CheckIn, ContactEvent, CouplingReport, JointConsent, JournalEntry, ReminderSetting

        register_kind("checkin", "Daily check-ins", "checkins")
        register_kind("contact_event", "Contacts and how you answered them", "checkins")
        register_kind("journal_entry", "Journal entries", "journal")
        register_kind("coupling_report", "Coupling reports", "coupling")
        register_exporter("checkins", records.export_checkins, label="Your daily check-ins", models=[CheckIn])
        register_exporter(
            "contact_events", records.export_contacts, label="Contacts and how you answered", models=[ContactEvent]
        )
        register_exporter("journal_entries", records.export_journal, label="Your journal", models=[JournalEntry])
        register_exporter(
            "coupling_reports", records.export_coupling, label="Your coupling reports", models=[CouplingReport]
        )
        register_exporter(
            "checkin_reminder", records.export_reminder, label="Your check-in reminder", models=[ReminderSetting]
        )
        register_exporter(
            "joint_report_choices",
            records.export_joint_consents,
            label="Your choices about joint reports",
            models=[JointConsent],
        )
        register_section("checkin", records.checkins_section)
        register_section("contact_event", records.contacts_section)
        register_section("journal_entry", records.journal_section)
        register_section("coupling_report", records.coupling_section)
