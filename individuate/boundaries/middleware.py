from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .policy import AccessDenied


class AccessDeniedMiddleware:
    """Render a policy refusal as a calm page with the right status (403/404/401)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AccessDenied):
            decision = exception.decision
            return render(
                request,
                "boundaries/denied.html",
                {"decision": decision},
                status=decision.status,
            )
        return None
