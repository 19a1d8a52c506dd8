"""Background work: scheduled publication and the trash purge (ids and times only)."""

from __future__ import annotations

from django_tasks import task


@task()
def publish_scheduled(article_id: int, planned: str) -> bool:
    from .actions import publish_due

    return publish_due(article_id, planned)


@task()
def purge_old_trash() -> int:
    from .actions import purge_trash

    return purge_trash()
