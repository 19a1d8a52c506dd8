"""Nightly housekeeping: forget what is no longer needed.

Finished task rows keep their arguments, return values and tracebacks — ids only by
design, but a traceback may quote anything — so they are pruned after
``TASK_RESULTS_KEEP_DAYS``; rate-limit events once older than every window. The nightly
task (``checkins.tasks.recompute_coupling``, queued by ``schedule_nightly``) calls this.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import limits


def prune_finished_tasks(older_than: timedelta | None = None) -> int:
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return 0
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    keep = older_than if older_than is not None else timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lte=timezone.now() - keep
    ).delete()
    return deleted


# Apps add their own nightly clean-up here in AppConfig.ready (e.g. articles: the comment
# trash after 30 days), so core calls them without importing any app.
NIGHTLY: dict[str, Callable[[], int]] = {}


def register_nightly(name: str, job: Callable[[], int]) -> None:
    NIGHTLY[name] = job


def prune() -> dict[str, int]:
    done = {"task_results": prune_finished_tasks(), "limit_events": limits.prune()}
    for name, job in NIGHTLY.items():
        done[name] = job()
    return done
