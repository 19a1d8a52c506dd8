"""Every e-mail is three templates, sent by one task through the task queue.

``emails/<name>-subject.txt``, ``emails/<name>-body.txt`` and
``emails/<name>-body.html``. The context must be JSON-serialisable because the
database task backend stores it until a worker picks it up.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task


def render_email(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    ctx = {"SITE_NAME": settings.SITE_NAME, "SITE_ROOT": settings.SITE_ROOT, **context}
    subject = render_to_string(f"emails/{name}-subject.txt", ctx).strip().replace("\n", " ")
    text = render_to_string(f"emails/{name}-body.txt", ctx)
    html = render_to_string(f"emails/{name}-body.html", ctx)
    return subject, text, html


@task()
def send_email(name: str, to: list[str], context: dict[str, Any]) -> None:
    subject, text, html = render_email(name, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()


def queue_email(name: str, to: str | list[str], context: dict[str, Any]) -> None:
    """Enqueue in the current transaction: if it rolls back, no e-mail goes out."""
    send_email.enqueue(name, [to] if isinstance(to, str) else list(to), context)
