"""Daily check-in reminders, each one queuing the next."""

from __future__ import annotations

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
        send_now("checkins/checkin-reminder", [address_of(setting.owner)], {"checkin_path": reverse("checkin")})
        setting.last_sent_on = today
        setting.save(update_fields=["last_sent_on"])
    schedule_reminder(setting, after=timezone.now())


NIGHTLY_HOUR_UTC = 3


@task()
def recompute_coupling() -> dict[str, int]:
    """Refit every solo and joint report in one batch each, then queue tomorrow's run."""
    from .actions import purge_deleted
    from .coupling import recompute_joint, recompute_solo

    counts = {"solo": recompute_solo(), "joint": recompute_joint(), "purged": purge_deleted()}
    schedule_nightly()
    return counts


def schedule_nightly() -> bool:
    """Queue the next nightly recompute unless one is already waiting. Idempotent."""
    from datetime import datetime, time, timedelta

    from django.conf import settings
    from django_tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return False
    if "django_tasks_db" in settings.INSTALLED_APPS:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            task_path=f"{__name__}.recompute_coupling", status="READY", run_after__gt=timezone.now()
        )
        if waiting.exists():
            return False
    now = timezone.now()
    run = datetime.combine(now.date(), time(NIGHTLY_HOUR_UTC), tzinfo=UTC)
    if run <= now:
        run += timedelta(days=1)
    recompute_coupling.using(run_after=run).enqueue()
    return True
