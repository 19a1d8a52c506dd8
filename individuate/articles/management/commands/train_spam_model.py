"""Train the local spam model: the YouTube spam collection, the written blog comments kept in
the repository, plus moderators' decisions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from individuate.articles.spam import features, training


class Command(BaseCommand):
    help = "Train the spam model (fixed seed) and store it as JSON at SPAM_MODEL_PATH."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--data", default="", help="the youtube-spam directory (default: SPAM_TRAINING_DIR)")
        parser.add_argument("--out", default="", help="where to write the model (default: SPAM_MODEL_PATH)")
        parser.add_argument("--if-missing", action="store_true", help="do nothing when the model file exists")

    def handle(self, *args: Any, **opts: Any) -> None:
        from pathlib import Path

        from individuate.articles.models import SpamExample

        out = Path(opts["out"] or settings.SPAM_MODEL_PATH)
        if opts["if_missing"] and out.exists():
            self.stdout.write(f"Spam model present at {out}.")
            return
        try:
            groups = training.load_training(opts["data"] or None)
        except training.TrainingDataError as exc:
            if opts["if_missing"]:  # `make run` goes on; comments are held for a person until a model exists
                self.stderr.write(f"No spam model trained: {exc}")
                return
            raise CommandError(str(exc)) from exc
        try:
            decided = [
                training.Sample(text=e.text, spam=int(e.spam), group="moderators", topic=features.topic_words(e.topic))
                for e in SpamExample.objects.order_by("pk")
            ]
        except DatabaseError:  # not migrated yet: the collection alone
            decided = []
        if decided:
            groups["moderators"] = training.with_repeats(decided)
        model = training.fit(groups)
        model.save(out)
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained on {sum(len(g) for g in groups.values())} comments "
                f"({len(groups[training.BLOG_GROUP])} written blog comments, {len(decided)} from moderators); "
                f"ham below {model.ham_below:.2f}, spam from {model.spam_from:.2f}; written to {out}."
            )
        )
