"""Site-wide request and response rules that no single view should have to remember."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = "The request contains a NUL character, which no field accepts."


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
