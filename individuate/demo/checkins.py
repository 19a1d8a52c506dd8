"""120 days of fictional check-ins for the demo adult child and parent.

The simulation (documented in docs/checkins.md): each day the parent's mood varies
around their own level (AR(1), 0.5); the child's mood follows the parent's deviation
of the day before (strength s) and of the same day (0.7·s), where s falls from 0.70
to 0.05 over the four months (the child taking space), plus the child's own inertia
(0.3) and noise. The child rates how the parent
seems as the parent's mood plus noise, and the parent rates the child likewise.
Contacts move from answering at once to answering on one's own terms, and guilt
after declining eases.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np

from individuate.accounts.models import User
from individuate.checkins.models import CheckIn, ContactEvent, JournalEntry, PerceivedMood
from individuate.core.time import zone_of
from individuate.demo.clock import earliest_today, not_after_now

DAYS = 120


def _clip(x: float) -> int:
    return int(np.clip(round(x), 0, 10))


def seed_checkins(child: User, parent: User) -> None:
    if CheckIn.objects.filter(owner=child).exists():
        return
    rng = np.random.default_rng(5)
    mother = child.others.get(name="my mother")
    robin = parent.others.get(name="Robin")
    today = earliest_today()  # the last day of data is yesterday, wherever "today" is
    start = today - timedelta(days=DAYS)
    parent_dev, child_dev = 0.0, 0.0
    checkins, perceived, contacts = [], [], []
    for day in range(DAYS):
        date = start + timedelta(days=day)
        progress = day / (DAYS - 1)
        strength = 0.7 - 0.65 * progress
        new_parent = 0.5 * parent_dev + rng.normal(0, 1.6)
        new_child = 0.3 * child_dev + strength * parent_dev + 0.7 * strength * new_parent + rng.normal(0, 0.8)
        parent_dev, child_dev = new_parent, new_child
        if rng.random() < 0.12:  # some days nobody checks in — missing days stay missing
            continue
        at = not_after_now(datetime.combine(date, time(21, 0), tzinfo=zone_of(child)))
        c = CheckIn(
            owner=child,
            at=at,
            local_date=date,
            mood=_clip(5.5 + child_dev + 1.5 * progress),
            guilt=_clip(7 - 3.5 * progress + rng.normal(0, 1)),
            anger=_clip(5 - 1.5 * progress + rng.normal(0, 1.2)),
            anxiety=_clip(6.5 - 2.5 * progress + rng.normal(0, 1)),
        )
        p = CheckIn(
            owner=parent,
            at=at - timedelta(hours=2),
            local_date=date,
            mood=_clip(5 + parent_dev),
            guilt=_clip(3 + rng.normal(0, 1)),
            anger=_clip(3 + rng.normal(0, 1)),
            anxiety=_clip(6 - progress + rng.normal(0, 1)),
        )
        checkins.append((c, _clip(5 + parent_dev + rng.normal(0, 0.6)), mother))
        checkins.append((p, _clip(5 + child_dev + rng.normal(0, 1.0)), robin))
        if rng.random() < 0.6:
            declined = rng.random() < 0.1 + 0.45 * progress
            own_terms = not declined and rng.random() < 0.15 + 0.55 * progress
            contacts.append(
                ContactEvent(
                    owner=child,
                    other=mother,
                    at=at - timedelta(hours=3),
                    local_date=date,
                    kind=str(
                        rng.choice(
                            [ContactEvent.Kind.CALL] * 2
                            + [ContactEvent.Kind.MESSAGE, ContactEvent.Kind.VISIT, ContactEvent.Kind.REQUEST]
                        )
                    ),
                    response=(
                        ContactEvent.Reply.DECLINED
                        if declined
                        else ContactEvent.Reply.OWN_TERMS
                        if own_terms
                        else ContactEvent.Reply.AT_ONCE
                    ),
                    guilt_after=_clip((8.5 - 4.5 * progress if declined else 5 - 2 * progress) + rng.normal(0, 1)),
                )
            )
    for checkin, _, _ in checkins:
        checkin.save()
    perceived = [PerceivedMood(checkin=c, other=o, value=v) for c, v, o in checkins]
    PerceivedMood.objects.bulk_create(perceived)
    ContactEvent.objects.bulk_create(contacts)
    JournalEntry.objects.create(
        owner=child,
        date=today - timedelta(days=3),
        text="Told Mum I'd call on Sunday instead of every evening. She went quiet. "
        "I felt the old knot of guilt, and then — an hour later — relief. "
        "A whole evening that was mine.",
    )
