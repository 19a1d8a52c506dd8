"""Site-wide request and response rules that no single view should have to remember."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = "The request contains a NUL character, which no field accepts."
IDLE_MESSAGE = "You were signed out after a while without activity. Please log in again."


def _any_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_any_nul(k) or _any_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_any_nul(v) for v in value)
    return False


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or any(_any_nul(k) or _any_nul(v) for k, v in request.GET.lists()):
        return True
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("application/json"):
        try:
            return _any_nul(json.loads(request.body or b"null"))
        except ValueError:  # not JSON (or not UTF-8): the view reports that
            return b"\x00" in request.body
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return any(_any_nul(k) or _any_nul(v) for k, v in request.POST.lists())
    return False


class RejectNulMiddleware:
    """NUL characters in a query string or a form or JSON body: a clear 400 (422 with the
    API's error shape under /api/) everywhere, instead of a crash where PostgreSQL refuses them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=422)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script anywhere: htmx and app.js are files
        # Inline style attributes stay allowed: matplotlib's inline SVG charts colour with them.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy and Permissions-Policy on every response, and
    ``Cache-Control: no-store`` on everything that may carry personal data: any response
    to a signed-in person, the API, the account pages, downloads and calendar feeds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if self._personal(request, response):
            response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _personal(request: HttpRequest, response: HttpResponse) -> bool:
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return False
        user = getattr(request, "user", None)
        return bool(
            (user is not None and user.is_authenticated)
            or request.path.startswith(("/api/", "/accounts/", "/admin/"))
            or "attachment" in response.get("Content-Disposition", "")
            or response.get("Content-Type", "").startswith("text/calendar")
        )


class IdleSessionMiddleware:
    """Signs a person out after a while without any request: ``SESSION_IDLE_MINUTES_THERAPIST``
    for therapists (they hold other people's data), ``SESSION_IDLE_MINUTES`` for everyone
    else. The absolute limit is the session cookie's age."""

    KEY = "individuate_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            minutes = (
                settings.SESSION_IDLE_MINUTES_THERAPIST
                if getattr(user, "is_therapist", False)
                else settings.SESSION_IDLE_MINUTES
            )
            last = request.session.get(self.KEY)
            if isinstance(last, int) and now - last > minutes * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": IDLE_MESSAGE}, status=401)
                return redirect_to_login(request.get_full_path())
            if not isinstance(last, int) or now - last >= 60:  # write the session at most once a minute
                request.session[self.KEY] = now
        return self.get_response(request)
