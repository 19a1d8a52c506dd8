from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    name = "individuate.boundaries"
    label = "boundaries"
    verbose_name = "Boundaries"

    def ready(self) -> None:
        from individuate.core.records import leave_out, register_eraser, register_exporter, register_section

        from . import records
        from .actions import erase_person
        from .models import AccessEvent, ConsentGrant, DoNotInvite, FamilyLink, TherapistConnection, TrackedPerson

        register_exporter("others", records.export_others, label="The people you track", models=[TrackedPerson])
        register_exporter(
            "family_links", records.export_family_links, label="Links with family members", models=[FamilyLink]
        )
        register_exporter(
            "therapist_connections",
            records.export_connections,
            label="Your connections with therapists",
            models=[TherapistConnection],
        )
        register_exporter(
            "consent_grants", records.export_grants, label="What you shared with each therapist", models=[ConsentGrant]
        )
        register_exporter(
            "access_log",
            records.export_access_log,
            label="Every time someone else read your records",
            models=[AccessEvent],
        )
        register_eraser("access_log_and_invitations", erase_person, models=[AccessEvent, TherapistConnection])
        register_section("others", records.others_section)
        leave_out(
            DoNotInvite,
            "a hash of an address that asked for no family invitations; kept after deletions so the no holds",
        )
