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
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when the model file exists and was trained on the same collection",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from pathlib import Path

        from individuate.articles.models import SpamExample

        out = Path(opts["out"] or settings.SPAM_MODEL_PATH)
        try:
            groups = training.load_training(opts["data"] or None)
        except training.TrainingDataError as exc:
            if opts["if_missing"]:  # `make run` goes on; comments are held for a person until a model exists
                self.stderr.write(f"No spam model trained: {exc}")
                return
            raise CommandError(str(exc)) from exc
        if opts["if_missing"] and out.exists():
            if _trained_on(out) == {name: len(g) for name, g in groups.items()}:
                self.stdout.write(f"Spam model present at {out}.")
                return
            self.stdout.write(f"The spam model at {out} was trained on other data: training it again.")
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


def _trained_on(path: Any) -> dict[str, int] | None:
    """The collection groups a stored model was trained on (moderators' decisions left out:
    they change every day, and a retrain for them is asked for by hand)."""
    import json

    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("meta", {})
        return {k: int(v) for k, v in meta.get("trained_on", {}).items() if k != "moderators"}
    except (OSError, ValueError, AttributeError, TypeError):
        return None
