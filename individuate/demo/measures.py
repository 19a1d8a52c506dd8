"""Six months of fictional questionnaire history for the demo accounts."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.utils import timezone

from individuate.accounts.models import User
from individuate.measures import actions as measures
from individuate.measures.registry import instruments


def _answers_for(instrument_id: str, level: float, rng: np.random.Generator) -> dict[str, int]:
    """Answers whose typical value is ``level`` (0..1 of each item's range), with noise."""
    instrument = instruments()[instrument_id]
    answers: dict[str, int] = {}
    for item in instrument.items:
        if not item.required:
            continue
        if item.id == "phq9_9":  # the safety item is set on purpose below, never by noise
            answers[item.id] = 0
            continue
        lo, hi = min(item.values), max(item.values)
        target = level if not item.reverse else 1 - level
        value = round(lo + (hi - lo) * float(np.clip(target + rng.normal(0, 0.12), 0, 1)))
        answers[item.id] = int(value)
    return answers


def seed_measures(child: User, parent: User, therapist: User) -> None:
    if measures.completed_responses(child).exists():
        return
    rng = np.random.default_rng(2026)
    now = timezone.now()
    start = now - timedelta(days=182)
    # Robin starts with moderately severe low mood and anxiety that ease as they
    # take space; the enmeshment screener falls from "many signs" to "some signs".
    for week in range(0, 27, 2):
        when = start + timedelta(days=7 * week, hours=19)
        progress = week / 26
        phq = measures.import_completed(child, "phq9", _answers_for("phq9", 0.58 - 0.36 * progress, rng), when)
        if week == 4:  # one hard evening, early on: a safety answer the therapist saw and followed up
            answers = dict(phq.answers, phq9_9=1)
            phq.delete()
            measures.import_completed(child, "phq9", answers, when, seen_by=therapist)
        measures.import_completed(child, "gad7", _answers_for("gad7", 0.6 - 0.35 * progress, rng), when)
    for month in range(0, 7):
        when = start + timedelta(days=30 * month + 1, hours=20)
        measures.import_completed(
            child,
            "enmeshment-child",
            _answers_for("enmeshment-child", 0.78 - 0.3 * month / 6, rng),
            when,
        )
    for month in (0, 3, 6):
        when = start + timedelta(days=30 * month + 5, hours=10)
        measures.import_completed(
            parent,
            "enmeshment-parent",
            _answers_for("enmeshment-parent", 0.7 - 0.15 * month / 6, rng),
            when,
        )


def seed_practice_sample(count: int = 40) -> None:
    """Anonymous, inactive fictional respondents, so the psychometrics page has data."""
    rng = np.random.default_rng(7)
    when = timezone.now() - timedelta(days=60)
    for n in range(count):
        email = f"sample-{n:02d}@example.com"
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(email, None, is_demo=True, is_active=False, display_name="")
        trait = float(rng.beta(2, 2.5))
        for instrument_id in ("phq9", "gad7", "enmeshment-child"):
            measures.import_completed(user, instrument_id, _answers_for(instrument_id, trait, rng), when)
