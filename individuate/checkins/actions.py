"""What the checkins app does. Every function validates fully and stores all or nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django_tasks import default_task_backend

from individuate.boundaries.actions import get_own_other
from individuate.core.errors import ActionError
from individuate.core.time import local_today, week_start, zone_of

from .models import UNDO_MINUTES, CheckIn, ContactEvent, CouplingReport, JournalEntry, PerceivedMood, ReminderSetting

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


def _optional_scale(name: str, value: Any) -> int | None:
    """A scale the person may leave unset: None (or an empty string) stores nothing."""
    if value is None or value == "":
        return None
    return _scale(name, value)


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
    mood: Any = None,
    guilt: Any = None,
    anger: Any = None,
    anxiety: Any = None,
    perceived: dict[int, Any] | None = None,
    note: str = "",
    checkin_id: int | None = None,
) -> CheckIn:
    """Record a check-in now, or edit one of today's (in the person's own time zone).

    A scale left unset is stored as empty (None), never as a made-up middle value; at
    least one scale must be set.
    """
    values = {
        "mood": _optional_scale("Mood", mood),
        "guilt": _optional_scale("Guilt", guilt),
        "anger": _optional_scale("Anger", anger),
        "anxiety": _optional_scale("Anxiety", anxiety),
    }
    clean_note = _note(note)
    perceived_clean: dict[int, int] = {}
    for other_id, value in (perceived or {}).items():
        if value is None or value == "":
            continue
        other = get_own_other(owner, int(other_id))
        perceived_clean[other.pk] = _scale(f"How {other.name} feels", value)
    if all(v is None for v in values.values()) and not perceived_clean:
        raise ActionError("Nothing is set yet: tap a number on at least one scale.")
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
    guilt_after: Any = None,
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
        guilt_after=_optional_scale("Guilt afterwards", guilt_after),
        note=_note(note),
    )


def get_own_contact(owner: User, contact_id: int) -> ContactEvent:
    contact = ContactEvent.objects.filter(owner=owner, pk=contact_id).select_related("other").first()
    if contact is None:
        raise ActionError("Not found.", "not_found")
    return contact


def delete_contact(owner: User, contact_id: int) -> ContactEvent:
    """Delete a contact, undoably for UNDO_MINUTES (pages and exports stop showing it at once)."""
    purge_deleted(owner)
    contact = get_own_contact(owner, contact_id)
    contact.deleted_at = timezone.now()
    contact.save(update_fields=["deleted_at"])
    return contact


@transaction.atomic
def undo_delete_contact(owner: User, contact_id: int) -> ContactEvent:
    contact = _undoable(ContactEvent, owner, contact_id)
    contact.deleted_at = None
    contact.save(update_fields=["deleted_at"])
    return contact


def _undoable(model: Any, owner: User, pk: int) -> Any:
    row = (
        model.all_objects.filter(owner=owner, pk=pk, deleted_at__gte=timezone.now() - timedelta(minutes=UNDO_MINUTES))
        .select_for_update()
        .first()
    )
    if row is None:
        raise ActionError(f"This can no longer be undone (only for {UNDO_MINUTES} minutes).", "not_found")
    return row


def recently_deleted(owner: User) -> dict[str, list[Any]]:
    """What OWNER deleted in the last UNDO_MINUTES, newest first, so a page can offer Undo."""
    since = timezone.now() - timedelta(minutes=UNDO_MINUTES)
    found: dict[str, list[Any]] = {
        "contacts": list(
            ContactEvent.all_objects.filter(owner=owner, deleted_at__gte=since)
            .select_related("other")
            .order_by("-deleted_at")
        ),
        "journal": list(JournalEntry.all_objects.filter(owner=owner, deleted_at__gte=since).order_by("-deleted_at")),
    }
    for rows in found.values():
        for row in rows:
            row.undo_until = row.deleted_at + timedelta(minutes=UNDO_MINUTES)
    return found


def purge_deleted(owner: User | None = None) -> int:
    """Remove for good what was deleted longer than UNDO_MINUTES ago (everyone's, or OWNER's)."""
    before = timezone.now() - timedelta(minutes=UNDO_MINUTES)
    count = 0
    for model in (ContactEvent, JournalEntry):
        rows = model.all_objects.filter(deleted_at__lt=before)
        if owner is not None:
            rows = rows.filter(owner=owner)
        count += rows.delete()[0]
    return count


def removal_consequences(owner: User, other: Any) -> str:
    """What removing a tracked person deletes here, in words ("" when nothing)."""
    ratings = PerceivedMood.objects.filter(other=other).count()
    contacts = ContactEvent.objects.filter(owner=owner, other=other).count()
    reports = CouplingReport.objects.filter(other=other).exists()
    parts = []
    if ratings:
        parts.append(f"{ratings} rating{'s' if ratings != 1 else ''} of how they seemed in your check-ins")
    if contacts:
        parts.append(f"{contacts} logged contact{'s' if contacts != 1 else ''} with them")
    if reports:
        parts.append("the pattern report about you and them")
    if not parts:
        return ""
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Delete {listed}. Your own moods in those check-ins stay."


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


def get_own_journal_entry(owner: User, entry_id: int) -> JournalEntry:
    entry = JournalEntry.objects.filter(owner=owner, pk=entry_id).first()
    if entry is None:
        raise ActionError("Not found.", "not_found")
    return entry


def delete_journal(owner: User, entry_id: int) -> JournalEntry:
    """Delete a journal entry, undoably for UNDO_MINUTES."""
    purge_deleted(owner)
    entry = get_own_journal_entry(owner, entry_id)
    entry.deleted_at = timezone.now()
    entry.save(update_fields=["deleted_at"])
    return entry


@transaction.atomic
def undo_delete_journal(owner: User, entry_id: int) -> JournalEntry:
    entry = _undoable(JournalEntry, owner, entry_id)
    entry.deleted_at = None
    entry.save(update_fields=["deleted_at"])
    return entry


def search_journal(owner: User, query: str = "") -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.filter(owner=owner)
    query = (query or "").strip()[:200]
    for word in query.split():
        entries = entries.filter(text__icontains=word)
    return entries


# ---------------------------------------------------------------- history


def daily_series(owner: User, days: int = 90) -> list[dict[str, Any]]:
    """Per local day: the mean of each check-in scale over the check-ins that set it.

    Days without a check-in are absent; a scale nobody set that day is None (missing).
    """
    since = local_today(owner) - timedelta(days=days - 1)
    rows: dict[date, list[tuple[int | None, ...]]] = {}
    for day, *values in (
        CheckIn.objects.filter(owner=owner, local_date__gte=since)
        .order_by("local_date")
        .values_list("local_date", *SCALES)
    ):
        rows.setdefault(day, []).append(tuple(values))
    return [
        {"date": day, **{key: _mean_set([v[k] for v in items]) for k, key in enumerate(SCALES)}}
        for day, items in sorted(rows.items())
    ]


SCALES = ("mood", "guilt", "anger", "anxiety")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _mean_set(values: list[int | None]) -> float | None:
    given = [v for v in values if v is not None]
    return sum(given) / len(given) if given else None


def _one_decimal(value: float) -> str:
    """As the template's ``floatformat:1`` (halves round up: 6.25 → "6.3")."""
    return str(Decimal(repr(value)).quantize(_TENTH, ROUND_HALF_UP))


_TENTH = Decimal("0.1")


def day_table(days: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The chart's numbers as table rows, newest first: the day ("3 Nov") and each scale to
    one decimal, "—" where it was not set (formatted here: 90 rows of template filters
    cost more than the rest of the page)."""
    return [
        (
            f"{d['date'].day} {_MONTHS[d['date'].month - 1]}",
            *("—" if d[key] is None else _one_decimal(d[key]) for key in SCALES),
        )
        for d in reversed(days)
    ]


SCALE_NAMES = {"mood": "Mood", "guilt": "Guilt", "anger": "Anger", "anxiety": "Anxiety"}
SUMMARY_DAYS = 28


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def scale_summaries(days: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """One line per check-in scale: the latest day it was set, the average of the last
    4 weeks and how that differs from the 4 weeks before (None where there is nothing)."""
    recent_from = today - timedelta(days=SUMMARY_DAYS - 1)
    before_from = recent_from - timedelta(days=SUMMARY_DAYS)
    out = []
    for key in SCALES:
        set_days = [d for d in days if d[key] is not None]
        if not set_days:
            continue
        recent = _mean([d[key] for d in set_days if d["date"] >= recent_from])
        before = _mean([d[key] for d in set_days if before_from <= d["date"] < recent_from])
        out.append(
            {
                "key": key,
                "name": SCALE_NAMES[key],
                "latest": set_days[-1][key],
                "latest_date": set_days[-1]["date"],
                "recent": recent,
                "before": before,
                "change": None if recent is None or before is None else recent - before,
            }
        )
    return out


def _direction(change: float) -> str:
    if abs(change) < 0.5:
        return "about the same as"
    return "higher than" if change > 0 else "lower than"


def history_answer(summaries: list[dict[str, Any]]) -> str:
    """The History page's answer in words, first: your mood over the last 4 weeks and
    how it compares with the 4 weeks before — what the numbers show, not why."""
    mood = next((s for s in summaries if s["key"] == "mood"), None)
    if mood is None or mood["recent"] is None:
        if mood is not None:
            last = mood["latest_date"]
            return f"No mood set in the last 4 weeks; the last one was {mood['latest']:g} on {last:%-d %b}."
        return "No mood set yet: once you check in, how it goes appears here."
    sentence = f"Over the last 4 weeks your mood averaged {mood['recent']:.1f} out of 10"
    if mood["change"] is None:
        return sentence + "."
    return f"{sentence}, {_direction(mood['change'])} the 4 weeks before ({mood['before']:.1f})."


def contacts_answer(weeks: list[dict[str, Any]], today: date) -> str:
    since = week_start(today - timedelta(days=SUMMARY_DAYS - 1))
    recent = [w for w in weeks if w["week"] >= since]
    total = sum(w["at_once"] + w["own_terms"] + w["declined"] for w in recent)
    if not total:
        return f"No contacts logged since {since:%-d %B}."
    parts = [
        f"{sum(w['at_once'] for w in recent)} answered at once",
        f"{sum(w['own_terms'] for w in recent)} later on your own terms",
        f"{sum(w['declined'] for w in recent)} declined",
    ]
    return f"Since {since:%-d %B} you logged {total} contact{'s' if total != 1 else ''}: {', '.join(parts)}."


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
