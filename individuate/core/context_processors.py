"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Expose the configured site name to every template as ``SITE_NAME``."""
    return {"SITE_NAME": settings.SITE_NAME}
