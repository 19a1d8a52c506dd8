"""What the checkins app does. Every function validates fully and stores all or nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django_tasks import default_task_backend

from individuate.boundaries.actions import get_own_other
from individuate.core.errors import ActionError
from individuate.core.time import local_today, week_start, zone_of

from .models import CheckIn, ContactEvent, JournalEntry, PerceivedMood, ReminderSetting

if TYPE_CHECKING:
    from individuate.accounts.models import User

MAX_NOTE = 1000
MAX_JOURNAL = 20000


def _scale(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ActionError(f"{name} must be a whole number from 0 to 10.") from exc
    if isinstance(value, bool) or str(value).strip() not in (str(number), f"{number}.0") or not 0 <= number <= 10:
        raise ActionError(f"{name} must be a whole number from 0 to 10.")
    return number


def _note(text: str, limit: int = MAX_NOTE) -> str:
    text = (text or "").strip()
    if "\x00" in text:
        raise ActionError("The note contains an invalid character.")
    if len(text) > limit:
        raise ActionError(f"A note can be at most {limit} characters.")
    return text


# ---------------------------------------------------------------- check-ins


@transaction.atomic
def save_checkin(
    owner: User,
    *,
    mood: Any,
    guilt: Any,
    anger: Any,
    anxiety: Any,
    perceived: dict[int, Any] | None = None,
    note: str = "",
    checkin_id: int | None = None,
) -> CheckIn:
    """Record a check-in now, or edit one of today's (in the person's own time zone)."""
    values = {
        "mood": _scale("Mood", mood),
        "guilt": _scale("Guilt", guilt),
        "anger": _scale("Anger", anger),
        "anxiety": _scale("Anxiety", anxiety),
    }
    clean_note = _note(note)
    perceived_clean: dict[int, int] = {}
    for other_id, value in (perceived or {}).items():
        if value is None or value == "":
            continue
        other = get_own_other(owner, int(other_id))
        perceived_clean[other.pk] = _scale(f"How {other.name} feels", value)
    if checkin_id is not None:
        checkin = CheckIn.objects.select_for_update().filter(owner=owner, pk=checkin_id).first()
        if checkin is None:
            raise ActionError("Not found.", "not_found")
        if checkin.local_date != local_today(owner):
            raise ActionError("Only today's check-ins can be changed.", "conflict")
        for key, value in values.items():
            setattr(checkin, key, value)
        checkin.note = clean_note
        checkin.save()
        checkin.perceived.all().delete()
    else:
        now = timezone.now()
        checkin = CheckIn.objects.create(
            owner=owner,
            at=now,
            local_date=now.astimezone(zone_of(owner)).date(),
            note=clean_note,
            **values,
        )
    PerceivedMood.objects.bulk_create(
        PerceivedMood(checkin=checkin, other_id=other_id, value=value) for other_id, value in perceived_clean.items()
    )
    return checkin


def todays_checkins(owner: User) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(owner=owner, local_date=local_today(owner)).prefetch_related("perceived__other")


def get_own_checkin(owner: User, checkin_id: int) -> CheckIn:
    checkin = CheckIn.objects.filter(owner=owner, pk=checkin_id).prefetch_related("perceived").first()
    if checkin is None:
        raise ActionError("Not found.", "not_found")
    return checkin


# ---------------------------------------------------------------- contacts


@transaction.atomic
def add_contact(
    owner: User,
    *,
    other_id: Any,
    kind: str,
    response: str,
    guilt_after: Any,
    note: str = "",
    at: datetime | None = None,
) -> ContactEvent:
    try:
        other = get_own_other(owner, int(other_id))
    except (TypeError, ValueError) as exc:
        raise ActionError("Choose who the contact was with.") from exc
    if kind not in ContactEvent.Kind.values:
        raise ActionError(f"Kind must be one of: {', '.join(ContactEvent.Kind.values)}.")
    if response not in ContactEvent.Reply.values:
        raise ActionError(f"Response must be one of: {', '.join(ContactEvent.Reply.values)}.")
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5):
        raise ActionError("A contact cannot be in the future.")
    if at < now - timedelta(days=31):
        raise ActionError("Log contacts from the last month only.")
    return ContactEvent.objects.create(
        owner=owner,
        other=other,
        at=at,
        local_date=at.astimezone(zone_of(owner)).date(),
        kind=kind,
        response=response,
        guilt_after=_scale("Guilt afterwards", guilt_after),
        note=_note(note),
    )


def delete_contact(owner: User, contact_id: int) -> None:
    deleted, _ = ContactEvent.objects.filter(owner=owner, pk=contact_id).delete()
    if not deleted:
        raise ActionError("Not found.", "not_found")


# ---------------------------------------------------------------- journal


@transaction.atomic
def save_journal(owner: User, *, text: str, on: date | None = None, entry_id: int | None = None) -> JournalEntry:
    clean = _note(text, MAX_JOURNAL)
    if not clean:
        raise ActionError("Write something first.")
    day = on or local_today(owner)
    if day > local_today(owner) + timedelta(days=1):
        raise ActionError("A journal entry cannot be dated in the future.")
    if entry_id is not None:
        entry = JournalEntry.objects.select_for_update().filter(owner=owner, pk=entry_id).first()
        if entry is None:
            raise ActionError("Not found.", "not_found")
        entry.text, entry.date = clean, day
        entry.save(update_fields=["text", "date", "updated_at"])
        return entry
    return JournalEntry.objects.create(owner=owner, text=clean, date=day)


def delete_journal(owner: User, entry_id: int) -> None:
    deleted, _ = JournalEntry.objects.filter(owner=owner, pk=entry_id).delete()
    if not deleted:
        raise ActionError("Not found.", "not_found")


def search_journal(owner: User, query: str = "") -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.filter(owner=owner)
    query = (query or "").strip()[:200]
    for word in query.split():
        entries = entries.filter(text__icontains=word)
    return entries


# ---------------------------------------------------------------- history


def daily_series(owner: User, days: int = 90) -> list[dict[str, Any]]:
    """Per local day: the mean of each check-in scale (days without a check-in are absent)."""
    since = local_today(owner) - timedelta(days=days - 1)
    rows: dict[date, list[CheckIn]] = {}
    for checkin in CheckIn.objects.filter(owner=owner, local_date__gte=since).order_by("local_date"):
        rows.setdefault(checkin.local_date, []).append(checkin)
    return [
        {
            "date": day,
            **{key: sum(getattr(c, key) for c in items) / len(items) for key in ("mood", "guilt", "anger", "anxiety")},
        }
        for day, items in sorted(rows.items())
    ]


def contacts_by_week(owner: User, weeks: int = 12) -> list[dict[str, Any]]:
    today = local_today(owner)
    since = today - timedelta(days=today.weekday(), weeks=weeks - 1)  # a Monday: whole weeks only
    counts: dict[date, dict[str, int]] = {}
    for row in (
        ContactEvent.objects.filter(owner=owner, local_date__gte=since)
        .values("local_date", "response")
        .annotate(n=Count("id"))
    ):
        week = week_start(row["local_date"])
        counts.setdefault(week, dict.fromkeys(ContactEvent.Reply.values, 0))[row["response"]] += row["n"]
    return [{"week": week, **values} for week, values in sorted(counts.items())]


# ---------------------------------------------------------------- reminders


def _next_send_time(setting: ReminderSetting, after: datetime) -> datetime:
    zone = zone_of(setting.owner)
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), setting.time, tzinfo=zone)
    if candidate <= after:
        candidate = datetime.combine(local.date() + timedelta(days=1), setting.time, tzinfo=zone)
    return candidate


def schedule_reminder(setting: ReminderSetting, after: datetime | None = None) -> datetime | None:
    """Queue the next reminder (needs a task backend that can run tasks later)."""
    from .tasks import send_checkin_reminder

    if not setting.enabled or not default_task_backend.supports_defer:
        return None
    when = _next_send_time(setting, after or timezone.now())
    send_checkin_reminder.using(run_after=when).enqueue(setting.owner_id, str(setting.token))
    return when


@transaction.atomic
def set_reminder(owner: User, *, enabled: bool, at: time | None) -> ReminderSetting:
    if enabled and at is None:
        raise ActionError("Choose a time for the reminder.")
    setting, _ = ReminderSetting.objects.select_for_update().get_or_create(owner=owner)
    setting.enabled = enabled
    if at is not None:
        setting.time = at
    setting.token = uuid.uuid4()  # earlier queued reminders become void
    setting.save()
    schedule_reminder(setting)
    return setting
