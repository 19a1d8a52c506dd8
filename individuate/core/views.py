from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .crisis import crisis_resources


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "crisis.html", {"resources": crisis_resources()})
