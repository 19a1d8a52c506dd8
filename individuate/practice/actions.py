"""What the practice app does: rules, free slots, booking without double booking,
the appointment lifecycle with e-mails and calendar invites, and public requests."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import default_task_backend
from PIL import Image, ImageOps

from individuate.boundaries.policy import is_connected, may_name_client, therapist_may_see_clients
from individuate.core import limits
from individuate.core.errors import ActionError
from individuate.core.mail import queue_email
from individuate.core.time import zone_of

from .models import (
    Appointment,
    AppointmentEvent,
    AvailabilityException,
    ContactRequest,
    PracticeProfile,
    WeeklyHours,
    new_feed_token,
)
from .slots import DatedException, Rules, SlotError, TimeRange, check_slot
from .slots import free_slots as compute_free_slots
from .tasks import send_appointment_emails, send_reminder

if TYPE_CHECKING:
    from individuate.accounts.models import User

# For other apps, which do not import practice models (the import contracts).
AppointmentStatus = Appointment.Status
OPEN = (Appointment.Status.REQUESTED, Appointment.Status.CONFIRMED)
MAX_OPEN_REQUESTS = 3


# ---------------------------------------------------------------- profile and rules


def profile_of(therapist: User) -> PracticeProfile:
    profile = PracticeProfile.objects.filter(therapist=therapist).first()
    if profile is not None:
        return profile
    base = slugify(therapist.name) or f"therapist-{therapist.pk}"
    slug, n = base[:50], 1
    while PracticeProfile.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base[:45]}-{n}"
    try:
        with transaction.atomic():
            return PracticeProfile.objects.create(
                therapist=therapist,
                slug=slug,
                time_zone=therapist.time_zone or "UTC",
                services=[PracticeProfile.Service.COUNSELLING],
            )
    except IntegrityError:
        return PracticeProfile.objects.get(therapist=therapist)


PHOTO_SIZE = 480  # pixels, the longer side


@transaction.atomic
def save_public_page(
    therapist: User,
    *,
    headline: str,
    approach: str,
    services: list[str],
    photo: Any = None,
    remove_photo: bool = False,
) -> PracticeProfile:
    """The public page's words and photo. A new photo is re-encoded by Pillow (which also
    drops its metadata, e.g. the place it was taken), scaled down and kept in the storage."""
    if not therapist.is_therapist:
        raise ActionError("Only therapists have a public page.", "forbidden")
    profile = profile_of(therapist)
    known = set(PracticeProfile.Service.values)
    if any(s not in known for s in services):
        raise ActionError("Choose services from the list.")
    profile.headline, profile.approach, profile.services = headline.strip()[:160], approach.strip()[:3000], services
    old = profile.photo.name if profile.photo else ""
    if photo is not None:
        profile.photo.save(f"{profile.slug}.jpg", ContentFile(_scaled_jpeg(photo)), save=False)
    elif remove_photo:
        profile.photo = None
    profile.save()
    if old and old != (profile.photo.name if profile.photo else ""):
        transaction.on_commit(lambda: default_storage.delete(old))
    return profile


def _scaled_jpeg(upload: Any) -> bytes:
    try:
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()
            picture = ImageOps.exif_transpose(opened).convert("RGB")
            picture.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=85, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ActionError("That picture could not be read. Please choose another.") from exc
    return out.getvalue()


def rules_for(therapist: User) -> Rules:
    profile = profile_of(therapist)
    weekly: dict[int, list[TimeRange]] = {}
    for row in WeeklyHours.objects.filter(therapist=therapist):
        weekly.setdefault(row.weekday, []).append(TimeRange(row.start, row.end))
    exceptions: dict[tuple[Any, str], list[TimeRange]] = {}
    whole_days_off = set()
    for ex in AvailabilityException.objects.filter(
        therapist=therapist, day__gte=timezone.now().date() - timedelta(days=1)
    ):
        ranges = exceptions.setdefault((ex.day, ex.kind), [])
        if ex.start and ex.end:
            ranges.append(TimeRange(ex.start, ex.end))
        elif ex.kind == AvailabilityException.Kind.OFF:
            whole_days_off.add(ex.day)
    for day in whole_days_off:  # a whole day off wins over partial time off that day
        exceptions[(day, AvailabilityException.Kind.OFF)] = []
    return Rules(
        time_zone=profile.time_zone,
        weekly={day: tuple(ranges) for day, ranges in weekly.items()},
        exceptions=tuple(DatedException(day, kind, tuple(r)) for (day, kind), r in sorted(exceptions.items())),
        session_minutes=profile.session_minutes,
        buffer_minutes=profile.buffer_minutes,
        min_notice_minutes=profile.min_notice_hours * 60,
        horizon_days=profile.horizon_days,
        granularity_minutes=profile.granularity_minutes,
    )


def busy_of(therapist: User, *, exclude: int | None = None) -> list[tuple[datetime, datetime]]:
    qs = Appointment.objects.filter(
        therapist=therapist, status=Appointment.Status.CONFIRMED, end__gte=timezone.now() - timedelta(days=1)
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.values_list("start", "end"))


def requested_starts(therapist: User) -> list[datetime]:
    """Start times with a request waiting for this therapist's answer."""
    return list(
        Appointment.objects.filter(
            therapist=therapist, status=Appointment.Status.REQUESTED, start__gte=timezone.now()
        ).values_list("start", flat=True)
    )


def free_slots(therapist: User, start: datetime, end: datetime) -> list[datetime]:
    if end <= start:
        raise ActionError("The end of the range must be after its start.")
    if end - start > timedelta(days=62):
        raise ActionError("Ask for at most 62 days at a time.")
    try:
        return compute_free_slots(
            rules_for(therapist), busy=busy_of(therapist), now=timezone.now(), start=start, end=end
        )
    except SlotError as exc:
        raise ActionError(str(exc)) from exc


def set_weekly_hours(therapist: User, rows: list[tuple[int, Any, Any]]) -> None:
    """Replace the weekly hours: (weekday, start, end) rows; refuses overlaps or reversed ranges."""
    clean = []
    for weekday, start, end in rows:
        if not 0 <= int(weekday) <= 6:
            raise ActionError("Weekday must be 0 (Monday) to 6 (Sunday).")
        if end <= start:
            raise ActionError("Each range must end after it starts.")
        clean.append((int(weekday), start, end))
    for day in range(7):
        ranges = sorted((s, e) for d, s, e in clean if d == day)
        for (_s1, e1), (s2, _) in zip(ranges, ranges[1:], strict=False):
            if s2 < e1:
                raise ActionError("Two ranges on the same day overlap.")
    with transaction.atomic():
        WeeklyHours.objects.filter(therapist=therapist).delete()
        WeeklyHours.objects.bulk_create(
            WeeklyHours(therapist=therapist, weekday=d, start=s, end=e) for d, s, e in clean
        )


# ---------------------------------------------------------------- booking


def _get_therapist(therapist_id: int) -> User:
    from individuate.accounts.actions import get_therapist

    return get_therapist(therapist_id)


def _aware(start: datetime) -> datetime:
    if timezone.is_naive(start):
        raise ActionError("Give the time with its time zone.")
    return start


def _lock_therapist(therapist: User) -> None:
    """Serialise booking writes per therapist (PostgreSQL row lock; SQLite's IMMEDIATE
    transactions serialise every write anyway)."""
    from individuate.accounts.models import User as UserModel

    list(UserModel.objects.select_for_update().filter(pk=therapist.pk).values_list("pk", flat=True))


def _overlaps_confirmed(therapist: User, start: datetime, end: datetime, exclude: int | None = None) -> bool:
    """Another confirmed session within this one, including the buffer between sessions."""
    buffer = timedelta(minutes=profile_of(therapist).buffer_minutes)
    qs = Appointment.objects.filter(
        therapist=therapist, status=Appointment.Status.CONFIRMED, start__lt=end + buffer, end__gt=start - buffer
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _save_confirmed(appointment: Appointment) -> None:
    """The one place a session becomes (or stays) confirmed: the database refuses an overlap."""
    if _overlaps_confirmed(appointment.therapist, appointment.start, appointment.end, exclude=appointment.pk):
        raise ActionError("This time has just been taken. Please choose another.", "conflict")
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: a concurrent booking won
        raise ActionError("This time has just been taken. Please choose another.", "conflict") from exc


def _event(appointment: Appointment, actor: User | None, kind: str, note: str = "") -> None:
    AppointmentEvent.objects.create(appointment=appointment, actor=actor, kind=kind, note=note[:500])


def _check(therapist: User, start: datetime, *, exclude: int | None = None) -> datetime:
    try:
        return check_slot(
            rules_for(therapist), busy=busy_of(therapist, exclude=exclude), now=timezone.now(), start=start
        )
    except SlotError as exc:
        raise ActionError(str(exc), "conflict" if getattr(exc, "code", "") == "overlap" else "invalid") from exc


def book(client: User, therapist_id: int, start: datetime) -> Appointment:
    """A connected client asks for a slot: a request, or a confirmed session where the
    therapist allows instant booking."""
    therapist = _get_therapist(therapist_id)
    if not is_connected(therapist, client):
        raise ActionError("Connect with this therapist first (or use the request form on their page).", "forbidden")
    start = _aware(start)
    with transaction.atomic():
        _lock_therapist(therapist)
        end = _check(therapist, start)
        instant = profile_of(therapist).instant_booking
        appointment = Appointment(
            therapist=therapist,
            client=client,
            start=start,
            end=end,
            status=Appointment.Status.CONFIRMED if instant else Appointment.Status.REQUESTED,
        )
        if instant:
            _save_confirmed(appointment)
        else:
            if Appointment.objects.filter(client=client, therapist=therapist, start=start, status__in=OPEN).exists():
                raise ActionError("You already asked for this time.", "conflict")
            waiting = Appointment.objects.filter(
                client=client, therapist=therapist, status=Appointment.Status.REQUESTED, end__gte=timezone.now()
            )
            if waiting.count() >= MAX_OPEN_REQUESTS:
                raise ActionError(
                    f"You have {MAX_OPEN_REQUESTS} requests waiting; wait for an answer first.", "conflict"
                )
            appointment.save()
        _event(appointment, client, appointment.status)
        _notify(appointment, "confirmed" if instant else "requested")
        if instant:
            _schedule_reminder(appointment)
    return appointment


def _therapist_first(user: User, appointment_id: int) -> Appointment:
    """Lock in one order everywhere — the therapist row, then the appointment — so two
    concurrent changes can never deadlock."""
    therapist_id = (
        Appointment.objects.filter(Q(therapist=user) | Q(client=user), pk=appointment_id)
        .values_list("therapist_id", flat=True)
        .first()
    )
    if therapist_id is None:
        raise ActionError("Not found.", "not_found")
    from individuate.accounts.models import User as UserModel

    list(UserModel.objects.select_for_update().filter(pk=therapist_id).values_list("pk", flat=True))
    return _appointment_for(user, appointment_id)


def _may_act(user: User, appointment: Appointment) -> None:
    """A therapist acts only with two-factor on; nobody acts once the connection ended."""

    if user.pk == appointment.therapist_id and not therapist_may_see_clients(user):
        raise ActionError("Switch on two-factor authentication first.", "forbidden")
    if not is_connected(appointment.therapist, appointment.client):
        raise ActionError("This connection has ended.", "conflict")


def _appointment_for(user: User, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .filter(Q(therapist=user) | Q(client=user), pk=appointment_id)
        .select_related("therapist", "client")
        .first()
    )
    if appointment is None:
        raise ActionError("Not found.", "not_found")
    return appointment


def confirm(therapist: User, appointment_id: int) -> Appointment:
    with transaction.atomic():
        appointment = _therapist_first(therapist, appointment_id)
        if appointment.therapist_id != therapist.pk:
            raise ActionError("Only the therapist confirms.", "forbidden")
        _may_act(therapist, appointment)
        if appointment.status != Appointment.Status.REQUESTED:
            raise ActionError(f"This appointment is {appointment.status}, not waiting.", "conflict")
        if appointment.start <= timezone.now():
            raise ActionError("This time has passed.", "conflict")
        appointment.status, appointment.sequence = Appointment.Status.CONFIRMED, appointment.sequence + 1
        _save_confirmed(appointment)
        _event(appointment, therapist, "confirmed")
        _notify(appointment, "confirmed")
        _schedule_reminder(appointment)
    return appointment


def decline(therapist: User, appointment_id: int, reason: str = "") -> Appointment:
    with transaction.atomic():
        appointment = _therapist_first(therapist, appointment_id)
        if appointment.therapist_id != therapist.pk:
            raise ActionError("Only the therapist declines.", "forbidden")
        _may_act(therapist, appointment)
        if appointment.status != Appointment.Status.REQUESTED:
            raise ActionError(f"This appointment is {appointment.status}, not waiting.", "conflict")
        appointment.status, appointment.sequence, appointment.reason = (
            Appointment.Status.DECLINED,
            appointment.sequence + 1,
            reason[:500],
        )
        appointment.save()
        _event(appointment, therapist, "declined", reason)
        _notify(appointment, "declined", reason=reason)
    return appointment


def cancel(user: User, appointment_id: int, reason: str = "") -> Appointment:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ActionError("Please give a short reason.")
    if len(reason) > 500:
        raise ActionError("The reason can be at most 500 characters.")
    with transaction.atomic():
        appointment = _therapist_first(user, appointment_id)
        if user.pk == appointment.therapist_id and not therapist_may_see_clients(user):
            raise ActionError("Switch on two-factor authentication first.", "forbidden")
        if appointment.status not in OPEN:
            raise ActionError(f"This appointment is already {appointment.status}.", "conflict")
        late = appointment.status == Appointment.Status.CONFIRMED and is_late_cancellation(appointment)
        appointment.status, appointment.sequence, appointment.reason = (
            Appointment.Status.CANCELLED,
            appointment.sequence + 1,
            reason,
        )
        appointment.save()
        _event(appointment, user, "cancelled", ("late: " if late else "") + reason)
        _notify(appointment, "cancelled", reason=reason)
    return appointment


def is_late_cancellation(appointment: Appointment) -> bool:
    practice = getattr(appointment.therapist, "practice", None)  # select_related on list pages
    hours = (practice or profile_of(appointment.therapist)).late_cancel_hours
    return timezone.now() > appointment.start - timedelta(hours=hours)


def reschedule(user: User, appointment_id: int, new_start: datetime) -> Appointment:
    new_start = _aware(new_start)
    with transaction.atomic():
        appointment = _therapist_first(user, appointment_id)
        if appointment.status not in OPEN:
            raise ActionError(f"A {appointment.status} appointment cannot be moved.", "conflict")
        _may_act(user, appointment)
        if appointment.start <= timezone.now():
            raise ActionError("This session has already begun or passed; it cannot be moved.", "conflict")
        late = appointment.status == Appointment.Status.CONFIRMED and is_late_cancellation(appointment)
        end = _check(appointment.therapist, new_start, exclude=appointment.pk)
        previous = (appointment.start.isoformat(), appointment.end.isoformat())
        appointment.start, appointment.end, appointment.sequence = new_start, end, appointment.sequence + 1
        appointment.reminded_at = None
        if appointment.status == Appointment.Status.CONFIRMED:
            _save_confirmed(appointment)
        else:
            appointment.save()
        _event(appointment, user, "rescheduled", ("late: " if late else "") + f"from {previous[0]}")
        _notify(appointment, "rescheduled", previous=previous)
        if appointment.status == Appointment.Status.CONFIRMED:
            _schedule_reminder(appointment)
    return appointment


# ---------------------------------------------------------------- e-mail and reminders


def _notify(appointment: Appointment, event: str, reason: str = "", previous: tuple[str, str] | None = None) -> None:
    """Both sides get the e-mail with its invite, each in their own time zone, through the
    task queue (enqueued in the same transaction: if it rolls back, nothing is sent).

    The task gets ids and flags only: a typed reason stays on the site, never in the queue."""
    send_appointment_emails.enqueue(appointment.pk, event, bool(reason.strip()), list(previous) if previous else None)


def _schedule_reminder(appointment: Appointment) -> None:
    when = appointment.start - timedelta(hours=24)
    pk, seq = appointment.pk, appointment.sequence
    if when <= timezone.now():
        return
    if default_task_backend.supports_defer:
        send_reminder.using(run_after=when).enqueue(pk, seq)


def upcoming_for(user: User) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(Q(client=user) | Q(therapist=user), end__gte=timezone.now())
        .select_related("therapist", "client")
        .order_by("start")
    )


def note_for(appointment: Appointment, viewer: User) -> str:
    """The reason given when the appointment was declined or cancelled — for the person it
    was written for (the other side), never echoed back to its author."""
    closing = [e for e in appointment.events.all() if e.kind in ("declined", "cancelled")]
    if (
        not closing
        or closing[-1].actor_id == viewer.pk
        or appointment.status not in (Appointment.Status.DECLINED, Appointment.Status.CANCELLED)
    ):
        return ""
    return appointment.reason


def note_shown_to(appointment: Appointment, viewer: User) -> str:
    """The note as the appointments page shows it to ``viewer`` (what their e-mail may say is
    waiting): :func:`note_for`, and to the therapist only while they may name the client."""
    note = note_for(appointment, viewer)
    if note and viewer.pk == appointment.therapist_id and not may_name_client(viewer, appointment.client):
        return ""
    return note


# ---------------------------------------------------------------- public requests


def open_contact_requests(therapist: User) -> QuerySet[ContactRequest]:
    """The therapist's unanswered requests from the public page — none without two-factor."""
    if not therapist_may_see_clients(therapist):
        return ContactRequest.objects.none()
    return ContactRequest.objects.filter(therapist=therapist, handled_at__isnull=True)[:50]


def mark_contact_handled(therapist: User, request_id: int) -> ContactRequest:
    if not therapist_may_see_clients(therapist):
        raise ActionError("Switch on two-factor authentication to answer requests.", "forbidden")
    contact = ContactRequest.objects.filter(pk=request_id, therapist=therapist).first()
    if contact is None:
        raise ActionError("Not found.", "not_found")
    if contact.handled_at is None:
        contact.handled_at = timezone.now()
        contact.save(update_fields=["handled_at"])
    return contact


CONTACT_LIMITS = (
    # (key prefix, limit, window): per therapist, and across all therapists.
    ("contact:ip", 5, timedelta(hours=1)),
    ("contact:ip:all", 10, timedelta(hours=1)),
    ("contact:mailbox", 3, timedelta(days=1)),
    ("contact:mailbox:all", 6, timedelta(days=1)),
)


@transaction.atomic
def submit_contact_request(
    therapist: User,
    *,
    name: str,
    email: str,
    phone: str,
    message: str,
    preferred_times: str,
    ip: str,
    form_token: str = "",
) -> ContactRequest:
    """Limits per connection and per mailbox (``+tags`` and Gmail's dots folded), for this
    therapist and across all of them, counted under a lock so concurrent posts cannot all
    pass; one signed form start time serves one request only."""
    ip_hash = hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()
    mailbox = limits.address_hash(email)[:40]
    keys = {
        "contact:ip": f"contact:{therapist.pk}:ip:{ip_hash[:40]}",
        "contact:ip:all": f"contact:all:ip:{ip_hash[:40]}",
        "contact:mailbox": f"contact:{therapist.pk}:mailbox:{mailbox}",
        "contact:mailbox:all": f"contact:all:mailbox:{mailbox}",
    }
    form_key = f"contact:form:{hashlib.sha256(form_token.encode()).hexdigest()[:40]}" if form_token else ""
    limits.lock(*keys.values(), *([form_key] if form_key else []))
    if form_key and limits.count(form_key, limits.LONGEST_WINDOW):
        raise ActionError("This form was already sent. Please reload the page to send another request.", "conflict")
    for prefix, limit, window in CONTACT_LIMITS:
        if limits.count(keys[prefix], window) >= limit:
            if prefix.startswith("contact:ip"):
                raise ActionError("Too many requests from this connection. Please try again in an hour.", "conflict")
            raise ActionError("You have already sent several requests today. The therapist will reply.", "conflict")
    for key in [*keys.values(), *([form_key] if form_key else [])]:
        limits.record(key)
    request = ContactRequest.objects.create(
        therapist=therapist,
        name=name,
        email=email,
        phone=phone,
        message=message,
        preferred_times=preferred_times,
        ip_hash=ip_hash,
    )
    queue_email("practice/contact-request", to=therapist, context={"inbox_path": reverse("portal:practice_dashboard")})
    return request


def sessions_cancelled_by_ending(client: User, therapist: User, viewer: User) -> str:
    """What ending the connection will do to their sessions, said to VIEWER (who ends it)."""
    upcoming = list(
        Appointment.objects.filter(
            therapist=therapist, client=client, status__in=OPEN, start__gt=timezone.now()
        ).order_by("start")
    )
    if not upcoming:
        return ""
    starts = [a.start.astimezone(zone_of(viewer)) for a in upcoming[:3]]
    when = ", ".join(f"{t:%a} {t.day} {t:%b %H:%M}" for t in starts)
    more = f" and {len(upcoming) - 3} more" if len(upcoming) > 3 else ""
    count = f"{len(upcoming)} booked session{'s' if len(upcoming) != 1 else ''}"
    other = "the therapist" if viewer.pk == client.pk else "the client"
    return f"Cancel {count} ({when}{more}); {other} is told by e-mail."


def cancel_for_ended_connection(client: User, therapist: User) -> int:
    """The connection ended: open future sessions between them are cancelled, both told."""
    count = 0
    with transaction.atomic():
        _lock_therapist(therapist)
        for appointment in Appointment.objects.select_for_update().filter(
            therapist=therapist, client=client, status__in=OPEN, start__gt=timezone.now()
        ):
            appointment.status, appointment.sequence = Appointment.Status.CANCELLED, appointment.sequence + 1
            appointment.reason = "The connection ended."
            appointment.save()
            _event(appointment, None, "cancelled", "connection ended")
            _notify(appointment, "cancelled", reason=appointment.reason)
            count += 1
    return count


# ---------------------------------------------------------------- days off, extra hours, the calendar feed


def add_availability_exception(
    therapist: User, *, day: date, kind: str, start: time | None = None, end: time | None = None
) -> AvailabilityException:
    if kind not in AvailabilityException.Kind.values:
        raise ActionError("Choose a day off or extra hours.")
    if kind == AvailabilityException.Kind.EXTRA and not (start and end):
        raise ActionError("Extra hours need a start and an end.")
    if start and end and end <= start:
        raise ActionError("The end must come after the start.")
    return AvailabilityException.objects.create(therapist=therapist, day=day, kind=kind, start=start, end=end)


def rotate_feed_token(therapist: User) -> PracticeProfile:
    """A new private calendar address; the old one stops working at once."""
    profile = profile_of(therapist)
    profile.feed_token = new_feed_token()
    profile.save(update_fields=["feed_token"])
    return profile
