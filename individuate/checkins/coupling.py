"""The product side of the coupling engine: check-ins in, stored reports out.

Querysets become arrays here, at the edge; ``dynamics`` does the numbers for
everyone in one batched call (nightly, or on demand for one person).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction
from django.db.models import Avg, Q
from django.utils import timezone

from individuate.boundaries.models import FamilyLink, TrackedPerson

from .models import CheckIn, CouplingReport, JointConsent, PerceivedMood

if TYPE_CHECKING:
    from individuate.accounts.models import User

HISTORY_DAYS = 180
WINDOW, STEP = 28, 7


def _grid_start(today: date) -> date:
    return today - timedelta(days=HISTORY_DAYS - 1)


def _own_moods(owner_ids: list[int], start: date) -> dict[int, dict[date, float]]:
    out: dict[int, dict[date, float]] = {}
    rows = (
        CheckIn.objects.filter(owner_id__in=owner_ids, local_date__gte=start, mood__isnull=False)
        .values("owner_id", "local_date")
        .annotate(m=Avg("mood"))
    )
    for row in rows:
        out.setdefault(row["owner_id"], {})[row["local_date"]] = float(row["m"])
    return out


def _perceived(other_ids: list[int], start: date) -> dict[int, dict[date, float]]:
    out: dict[int, dict[date, float]] = {}
    rows = (
        PerceivedMood.objects.filter(other_id__in=other_ids, checkin__local_date__gte=start)
        .values("other_id", "checkin__local_date")
        .annotate(m=Avg("value"))
    )
    for row in rows:
        out.setdefault(row["other_id"], {})[row["checkin__local_date"]] = float(row["m"])
    return out


def _row(series: dict[date, float], start: date) -> np.ndarray:
    row = np.full(HISTORY_DAYS, np.nan)
    for day, value in series.items():
        index = (day - start).days
        if 0 <= index < HISTORY_DAYS:
            row[index] = value
    return row


def recompute_solo(owner: User | None = None) -> int:
    """Fit every (person, other they track) in one batch; store one report each."""
    today = timezone.now().date()
    start = _grid_start(today)
    candidates = (
        TrackedPerson.objects.filter(perceived_moods__checkin__local_date__gte=start).distinct().select_related("owner")
    )
    if owner is not None:
        candidates = candidates.filter(owner=owner)
    others = list(candidates)
    if not others:
        return 0
    from dynamics.coupling import fit_solo

    own = _own_moods(sorted({o.owner_id for o in others}), start)
    perceived = _perceived([o.pk for o in others], start)
    results = fit_solo(
        np.stack([_row(own.get(o.owner_id, {}), start) for o in others]),
        np.stack([_row(perceived.get(o.pk, {}), start) for o in others]),
        ids=[str(o.pk) for o in others],
        other_labels=[o.name for o in others],
        start=start,
        window=WINDOW,
        step=STEP,
    )
    with transaction.atomic():
        for other, result in zip(others, results, strict=True):
            CouplingReport.objects.update_or_create(
                kind=CouplingReport.Kind.SOLO,
                other=other,
                defaults={
                    "owner": other.owner,
                    "computed_at": timezone.now(),
                    "result": result.as_json(),
                },
            )
    return len(others)


def joint_consents(link: FamilyLink) -> dict[int, tuple[bool, bool]]:
    """user id -> (opted in, share with the other) for both sides of a link."""
    found = {c.user_id: (c.opted_in, c.share_with_other) for c in JointConsent.objects.filter(link=link)}
    parties = [link.inviter_id, link.invitee_id]
    return {uid: found.get(uid, (False, False)) for uid in parties if uid is not None}


def _eligible_links() -> list[FamilyLink]:
    links = (
        FamilyLink.objects.filter(status="active")
        .select_related("inviter", "invitee")
        .prefetch_related("joint_consents")
    )
    return [link for link in links if all(opted for opted, _ in joint_consents(link).values())]


def recompute_joint(link: FamilyLink | None = None) -> int:
    """Fit every linked pair where both opted in, in one batch."""
    links = [link] if link is not None else _eligible_links()
    links = [lk for lk in links if lk.invitee_id and all(o for o, _ in joint_consents(lk).values())]
    if not links:
        CouplingReport.objects.filter(kind="joint").exclude(link__in=_eligible_links()).delete()
        return 0
    from dynamics.coupling import fit_pairs

    start = _grid_start(timezone.now().date())
    own = _own_moods(sorted({u for lk in links for u in (lk.inviter_id, lk.invitee_id) if u is not None}), start)
    y = np.stack(
        [
            np.stack(
                [
                    _row(own.get(lk.inviter_id, {}), start),
                    _row(own.get(lk.invitee_id or 0, {}), start),
                ],
                axis=1,
            )
            for lk in links
        ]
    )
    results = fit_pairs(
        y,
        persons=[(str(lk.inviter_id), str(lk.invitee_id)) for lk in links],
        pair_ids=[str(lk.pk) for lk in links],
        labels=[(lk.inviter.name, lk.invitee.name if lk.invitee else "") for lk in links],
        start=start,
        window=WINDOW,
        step=STEP,
    )
    with transaction.atomic():
        for lk, result in zip(links, results, strict=True):
            CouplingReport.objects.update_or_create(
                kind=CouplingReport.Kind.JOINT,
                link=lk,
                defaults={"computed_at": timezone.now(), "result": result.as_json()},
            )
    return len(links)


def solo_reports(owner: User) -> list[CouplingReport]:
    return list(CouplingReport.objects.filter(kind="solo", owner=owner).select_related("other"))


def window_series(result: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """One effect's estimate per rolling window, for the chart and its table."""
    series = []
    for window in result.get("windows", []):
        for effect in window["effects"]:
            if effect["kind"] == kind and effect.get("estimate") is not None:
                series.append({"end": window["end"], "estimate": effect["estimate"], "ci95": effect["ci95"]})
    return series


def set_joint_consent(user: User, link: FamilyLink, *, opted_in: bool, share_with_other: bool) -> JointConsent:
    consent, _ = JointConsent.objects.update_or_create(
        link=link,
        user=user,
        defaults={"opted_in": opted_in, "share_with_other": share_with_other and opted_in},
    )
    if not opted_in:
        CouplingReport.objects.filter(kind="joint", link=link).delete()
    return consent


def links_of(user: User) -> list[FamilyLink]:
    return list(
        FamilyLink.objects.filter(Q(inviter=user) | Q(invitee=user), status="active")
        .select_related("inviter_other", "invitee_other")
        .prefetch_related("joint_consents")
    )
