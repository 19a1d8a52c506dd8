from typing import Any

from django.core.management.base import BaseCommand

from individuate.checkins.tasks import schedule_nightly


class Command(BaseCommand):
    help = "Queue the nightly coupling recompute (safe to run on every deploy)."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = schedule_nightly()
        self.stdout.write(
            "Queued the nightly recompute." if queued else "Already queued (or the task backend cannot defer)."
        )
