"""Small helpers every app's views share: role decorators, run an action, report the outcome."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .errors import ActionError

if TYPE_CHECKING:
    from individuate.accounts.models import User

T = TypeVar("T")


class AuthedRequest(HttpRequest):
    """A request behind ``login_required`` (or API auth): ``user`` is a real account."""

    user: User


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


def attempt(request: HttpRequest, fn: Callable[[], T], success: str) -> T | None:
    """Run an action; show its error (nothing was changed) or the success message.

    Returns the action's result, or None when it was refused.
    """
    try:
        result = fn()
    except ActionError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


def form_errors(request: HttpRequest, form: Any) -> None:
    """Every form error as a message, prefixed with its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
