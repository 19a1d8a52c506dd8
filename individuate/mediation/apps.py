from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "individuate.mediation"
    label = "mediation"
    verbose_name = "Mediation"

    def ready(self) -> None:
        from individuate.core.records import OWNER_ONLY, register_eraser, register_exporter, register_kind

        from . import records
        from .access import KINDS
        from .models import Agreement, Case, Comment, Party, PlanVersion, PrivateNote

        # Case records are decided by the case (mediation.access), never by a therapist grant.
        for name, label in KINDS.items():
            register_kind(name, label, OWNER_ONLY)
        register_exporter(
            "mediation_cases",
            records.export_cases,
            label="Your mediation cases, your contact details there and the plan versions you wrote",
            models=[Case, Party, PlanVersion],
        )
        register_exporter(
            "mediation_comments",
            records.export_comments,
            label="Your comments and proposals on parenting plans",
            models=[Comment],
        )
        register_exporter(
            "mediation_agreements",
            records.export_agreements,
            label="The parenting plan versions you agreed to",
            models=[Agreement],
        )
        register_exporter(
            "mediation_notes", records.export_notes, label="Your private notes to a mediator", models=[PrivateNote]
        )
        register_eraser("mediation_parties", records.erase_party_details, models=[Party])
