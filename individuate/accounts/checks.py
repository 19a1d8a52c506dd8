from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from individuate.config.settings import DEV_SECRET_KEY


@register()
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Refuse to run in production (DEBUG off) with the development secret key."""
    if not settings.DEBUG and settings.SECRET_KEY == DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development default while DEBUG is off.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value, "
                "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="individuate.E001",
            )
        ]
    return []
