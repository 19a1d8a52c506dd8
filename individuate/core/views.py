from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views import defaults

from . import legal
from .crisis import crisis_resources


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 (a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a bad Host, …): the API
    answers in its own shape, ``{"detail": …}``, like every other API error."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "The request could not be read: it is too large or malformed."}, status=400)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "home.html")


def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "crisis.html", {"resources": crisis_resources()})


def legal_page(request: HttpRequest, page: str) -> HttpResponse:
    if page not in legal.PAGES:
        raise Http404("No such page.")
    title = "Privacy policy" if page == "privacy" else "Terms of use"
    body = mark_safe(legal.document(page))  # noqa: S308 — rendered without raw HTML, or cleaned by nh3
    return render(request, "legal.html", {"title": title, "body": body})
