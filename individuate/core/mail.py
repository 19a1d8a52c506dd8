"""Every e-mail is three templates, sent by one task through the task queue.

``<app>/emails/<name>-subject.txt``, ``-body.txt`` and ``-body.html`` (``name`` is
``"<app>/<event>"``). :func:`queue_email` stores one :class:`OutgoingEmail` row —
recipient as a user id (resolved to an address when the mail is sent), or an address
for someone without an account — and enqueues only that row's id. So nothing personal
sits in the task queue, and deleting a person removes exactly their queued mail (the
row cascades), never anyone else's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task

from .models import OutgoingEmail

if TYPE_CHECKING:
    from individuate.accounts.models import User


def render_email(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    ctx = {"SITE_NAME": settings.SITE_NAME, "SITE_ROOT": settings.SITE_ROOT, **context}
    app, _, event = name.rpartition("/")
    base = f"{app}/emails/{event}" if app else f"emails/{event}"
    subject = render_to_string(f"{base}-subject.txt", ctx).strip().replace("\n", " ")
    text = render_to_string(f"{base}-body.txt", ctx)
    html = render_to_string(f"{base}-body.html", ctx)
    return subject, text, html


def address_of(user: User) -> str:
    """Where mail for this person goes (a therapist's practice address if they gave one)."""
    return str(getattr(user, "mail_address", "") or user.email)


def send_now(name: str, to: list[str], context: dict[str, Any]) -> None:
    """Render and send at once — only from a task, where addresses are resolved at send time."""
    subject, text, html = render_email(name, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()


@task()
def deliver_email(outgoing_id: int) -> None:
    outgoing = OutgoingEmail.objects.select_related("recipient").filter(pk=outgoing_id).first()
    if outgoing is None:  # the person it was for (or about) has deleted their account
        return
    to = address_of(outgoing.recipient) if outgoing.recipient is not None else outgoing.address
    if to:
        send_now(outgoing.template, [to], outgoing.context)
    outgoing.delete()


def forget_mail_to(addresses: set[str]) -> None:
    """Queued mail to these exact addresses (a person without an account yet) is dropped."""
    OutgoingEmail.objects.filter(address__in=addresses).delete()


def queue_email(name: str, *, to: User | str, context: dict[str, Any], about: User | None = None) -> OutgoingEmail:
    """Enqueue in the current transaction: if it rolls back, no e-mail goes out.

    ``to`` is a person (resolved when sent) or an address for someone without an account;
    ``about`` is the person the e-mail concerns (deleting them cancels it). ``context``
    holds plain values and paths, never another person's words.
    """
    if isinstance(to, str):
        outgoing = OutgoingEmail.objects.create(template=name, address=to, about=about, context=context)
    else:
        outgoing = OutgoingEmail.objects.create(template=name, recipient=to, about=about, context=context)
    deliver_email.enqueue(outgoing.pk)
    return outgoing
