from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "individuate.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from individuate.boundaries.sharing import register_exporter, register_section

        from . import checks, records  # noqa: F401  (registers the system checks)

        register_exporter("profile", records.export_profile)
        register_exporter("api_tokens", records.export_api_tokens)
        register_section("profile", records.profile_section)
