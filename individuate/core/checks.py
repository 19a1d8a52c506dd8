"""System checks of our own. The development key is refused wherever the app *serves*
with DEBUG off (gunicorn/uwsgi through ``wsgi.py``/``asgi.py``, or ``check --deploy``);
management commands such as ``createsuperuser`` or ``demo_totp`` run with it."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# A key that is only good for development.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"


@register(Tags.security, deploy=True)
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Refuse to serve in production (DEBUG off) with the development secret key."""
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


@register(deploy=True)
def crisis_resources_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn a production deployment that still shows the generic, multi-country crisis list."""
    if not settings.DEBUG and not str(getattr(settings, "CRISIS_RESOURCES_FILE", "") or "").strip():
        return [
            Warning(
                "CRISIS_RESOURCES_FILE is not set: /crisis/ and the safety pages show the generic "
                "international list, not your region's checked numbers.",
                hint="Write your region's crisis resources as JSON (see docs/crisis.md) and set "
                "CRISIS_RESOURCES_FILE to its path.",
                id="individuate.W001",
            )
        ]
    return []


def refuse_to_serve_if_unsafe() -> None:
    """Called by wsgi.py and asgi.py before the first request."""
    from django.core import checks

    found = checks.run_checks(include_deployment_checks=True)
    errors = [e for e in found if e.is_serious()]
    for warning in found:
        if warning.id and warning.id.startswith("individuate.W") and not warning.is_serious():
            print(f"Warning: {warning}", file=sys.stderr)
    if errors:
        raise SystemExit("Refusing to start:\n" + "\n".join(str(e) for e in errors))
