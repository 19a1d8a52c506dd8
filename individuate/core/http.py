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


def form_errors(request: HttpRequest, form: Any, *, beside_fields: bool = False) -> None:
    """Every form error as a message, prefixed with its field's label — or, when the page
    shows the form again with each error next to its field, one line pointing there."""
    if beside_fields:
        # Errors of hidden fields (e.g. an expired form) have no place on the page: say them here.
        hidden = [f for f in form.errors if f in form.fields and form[f].is_hidden]
        for field in hidden:
            for error in form.errors[field]:
                messages.error(request, str(error))
        if any(f not in hidden for f in form.errors):
            messages.error(request, "Please correct the fields marked below.")
        return
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
