from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from individuate.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind ``login_required`` (or API auth): ``user`` is a real account."""

    user: User  # type: ignore[assignment]


View = Callable[..., HttpResponse]


def therapist_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_therapist:  # type: ignore[union-attr]
            raise PermissionDenied("This page is for therapists.")
        return view(request, *args, **kwargs)

    return wrapper


def person_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_therapist:  # type: ignore[union-attr]
            raise PermissionDenied("This page is for clients.")
        return view(request, *args, **kwargs)

    return wrapper
