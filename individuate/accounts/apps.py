from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "individuate.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from individuate.core.records import register_eraser, register_exporter, register_section

        from . import records
        from .actions import erase_account_traces
        from .models import ApiToken, TherapistProfile, User

        register_exporter(
            "profile", records.export_profile, label="Your account and profile", models=[User, TherapistProfile]
        )
        register_exporter(
            "api_tokens", records.export_api_tokens, label="Your API tokens (names only)", models=[ApiToken]
        )
        register_eraser("account_traces", erase_account_traces)
        register_section("profile", records.profile_section)

        from allauth.account.signals import password_changed, password_reset

        from .actions import revoke_all_api_tokens

        # A new password ends every API token: whoever had the old one loses access.
        password_changed.connect(revoke_all_api_tokens, dispatch_uid="revoke-tokens-on-change")
        password_reset.connect(revoke_all_api_tokens, dispatch_uid="revoke-tokens-on-reset")
