"""Daily check-in reminders, each one queuing the next."""

from __future__ import annotations

import os
from datetime import UTC

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from individuate.core.mail import address_of, send_now


@task()
def send_checkin_reminder(owner_id: int, token: str) -> None:
    from individuate.core.time import local_today

    from .actions import schedule_reminder
    from .models import CheckIn, ReminderSetting

    setting = ReminderSetting.objects.select_related("owner").filter(owner_id=owner_id).first()
    if setting is None or not setting.enabled or str(setting.token) != token or not setting.owner.is_active:
        return  # switched off or rescheduled since this was queued
    today = local_today(setting.owner)
    if setting.last_sent_on != today and not CheckIn.objects.filter(owner_id=owner_id, local_date=today).exists():
        send_now(
            "checkins/checkin-reminder", [address_of(setting.owner)], {"checkin_path": reverse("checkins:checkin")}
        )
        setting.last_sent_on = today
        setting.save(update_fields=["last_sent_on"])
    schedule_reminder(setting, after=timezone.now())


NIGHTLY_HOUR_UTC = 3
# Tracked people (solo) or links (joint) per chunk: one chunk is one vectorised fit and a
# few bulk writes; several task workers take chunks side by side.
CHUNK_IDS = int(os.environ.get("COUPLING_CHUNK_IDS", "5000"))


@task()
def recompute_coupling() -> dict[str, int]:
    """The nightly run: queue one population task per kind (solo, joint: two workers
    estimate them side by side), each of which queues its kind's chunks once its population
    is stored; prune what is no longer needed (finished task rows, old rate-limit events),
    then queue tomorrow's run. Returns how many chunks of each kind were queued.

    Chunks are idempotent (each refits and overwrites its own reports), so a crashed
    chunk can simply be run again; so is a population task (it stores the same population
    again, from the same seeded sample, and queues its chunks again)."""
    from individuate.core.housekeeping import prune

    from .actions import purge_deleted
    from .coupling import POPULATION_ROLES, chunks, recompute_joint

    counts = {"solo": 0, "joint": 0, "purged": purge_deleted()}
    recompute_joint(id_range=None, prune_only=True)  # reports of links no longer eligible go
    for kind in POPULATION_ROLES:
        ranges = chunks(kind, CHUNK_IDS)
        counts[kind] = len(ranges)
        recompute_coupling_population.enqueue(kind, [[lo, hi] for lo, hi in ranges])
    prune()
    schedule_nightly()
    return counts


@task()
def recompute_coupling_population(kind: str, ranges: list[list[int]]) -> int:
    """One kind's population, estimated once from the whole deployment and stored (every
    chunk shrinks toward the same one), then that kind's chunks, one task per id range in
    RANGES: no chunk starts before the population it reads is stored."""
    from .coupling import estimate_population

    estimate_population(kind)
    for lo, hi in ranges:
        recompute_coupling_chunk.enqueue(kind, lo, hi)
    return len(ranges)


@task()
def recompute_coupling_chunk(kind: str, lo: int, hi: int) -> int:
    from .coupling import recompute_joint, recompute_solo

    if kind == "solo":
        return recompute_solo(id_range=(lo, hi))
    return recompute_joint(id_range=(lo, hi))


def schedule_nightly() -> bool:
    """Queue the next nightly recompute unless one is already waiting. Idempotent."""
    from datetime import datetime, time, timedelta

    from django.conf import settings
    from django_tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return False
    if "django_tasks_db" in settings.INSTALLED_APPS:
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            task_path=f"{__name__}.recompute_coupling", status=TaskResultStatus.READY, run_after__gt=timezone.now()
        )
        if waiting.exists():
            return False
    now = timezone.now()
    run = datetime.combine(now.date(), time(NIGHTLY_HOUR_UTC), tzinfo=UTC)
    if run <= now:
        run += timedelta(days=1)
    recompute_coupling.using(run_after=run).enqueue()
    return True
