"""Small helpers every app's views share: run an action, report the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest

from individuate.errors import ActionError

T = TypeVar("T")


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
