from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from . import legal
from .crisis import crisis_resources


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
