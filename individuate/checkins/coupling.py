"""The product side of the coupling engine: check-ins in, stored reports out.

Querysets become arrays here, at the edge; ``dynamics`` does the numbers for
everyone in one batched call (nightly, or on demand for one person).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from individuate.boundaries import queries as boundary_queries
from individuate.boundaries.queries import active_links

from .models import CheckIn, CouplingReport, JointConsent, PerceivedMood

if TYPE_CHECKING:
    from individuate.accounts.models import User
    from individuate.boundaries.models import FamilyLink

HISTORY_DAYS = 180
WINDOW, STEP = 28, 7
WRITE_BATCH = 500


def _grid_start(today: date) -> date:
    return today - timedelta(days=HISTORY_DAYS - 1)


def _day_grid(rows: Sequence[tuple[int, date, Any]], keys: list[int], start: date) -> np.ndarray:
    """(key, day, value) rows → a (len(keys), HISTORY_DAYS) array of daily means, NaN where none."""
    grid = np.full((len(keys), HISTORY_DAYS), np.nan)
    if not rows or not keys:
        return grid
    index = {k: i for i, k in enumerate(keys)}
    key_ids, days, values = zip(*rows, strict=True)
    r = np.fromiter((index.get(k, -1) for k in key_ids), dtype=np.int64, count=len(rows))
    c = np.fromiter(((d - start).days for d in days), dtype=np.int64, count=len(rows))
    v = np.asarray(values, dtype=np.float64)
    keep = (r >= 0) & (c >= 0) & (c < HISTORY_DAYS) & np.isfinite(v)
    r, c, v = r[keep], c[keep], v[keep]
    total = np.zeros_like(grid)
    count = np.zeros_like(grid)
    np.add.at(total, (r, c), v)
    np.add.at(count, (r, c), 1.0)
    np.divide(total, count, out=grid, where=count > 0)
    return grid


def _own_moods(owner_ids: list[int], start: date) -> np.ndarray:
    """One query: every owner's daily mean mood, as rows in the order of OWNER_IDS."""
    rows = list(
        CheckIn.objects.filter(owner_id__in=owner_ids, local_date__gte=start, mood__isnull=False).values_list(
            "owner_id", "local_date", "mood"
        )
    )
    return _day_grid(rows, owner_ids, start)


def _pooled(
    y: np.ndarray, ids: list[str], persons: list[tuple[str, str]], labels: list[tuple[str, str]]
) -> dict[str, dict[str, Any]]:
    """The pooled estimate of every pair of the batch (see ``dynamics.pooled``): each pair's
    pattern informed by how patterns look across the deployment's pairs. The population is
    an aggregate of at least ``COUPLING_POPULATION_MIN_PAIRS`` pairs (50); with fewer, the
    built-in population from the literature is used, and each report says which."""
    from dynamics.pooled import fit_pooled

    fitted = fit_pooled(
        y, persons=persons, pair_ids=ids, labels=labels, min_pairs=settings.COUPLING_POPULATION_MIN_PAIRS
    ).to_json()
    population = {
        "source": fitted["population_source"],
        "populations": [
            {k: p[k] for k in ("name", "population_source", "n_pairs", "note", "effects")}
            for p in fitted["populations"]
        ],
    }
    return {pair["pair_id"]: {**pair, "population": population} for pair in fitted["pairs"]}


def _write_reports(kind: str, key: str, fitted: Mapping[int, tuple[Mapping[str, Any], int | None]]) -> None:
    """Store one report per KEY id in bulk: update the ones that exist, create the rest.

    (Partial unique constraints keep one report per tracked person / link, so an
    ``ON CONFLICT`` upsert cannot name them; two bulk statements per batch instead.)"""
    now = timezone.now()
    existing = {
        getattr(r, f"{key}_id"): r
        for r in CouplingReport.objects.filter(kind=kind, **{f"{key}_id__in": list(fitted)}).only("id", f"{key}_id")
    }
    updates, creates = [], []
    for key_id, (result, owner_id) in fitted.items():
        report = existing.get(key_id)
        if report is None:
            creates.append(
                CouplingReport(kind=kind, owner_id=owner_id, computed_at=now, result=result, **{f"{key}_id": key_id})
            )
        else:
            report.result, report.computed_at, report.owner_id = result, now, owner_id
            updates.append(report)
    with transaction.atomic():
        CouplingReport.objects.bulk_update(updates, ["result", "computed_at", "owner"], batch_size=WRITE_BATCH)
        CouplingReport.objects.bulk_create(creates, batch_size=WRITE_BATCH)


def recompute_solo(owner: User | None = None, *, id_range: tuple[int, int] | None = None) -> int:
    """Fit every (person, other they track) in one batch; store one report each.

    A constant number of queries whatever the number of people: the perceived moods
    and own moods come as value lists straight into arrays. ``id_range`` (tracked
    people's ids, from inclusive, to exclusive) splits the nightly run into chunks that
    several workers can take; a chunk can be rerun safely."""
    start = _grid_start(timezone.now().date())
    perceived_qs = PerceivedMood.objects.filter(checkin__local_date__gte=start, value__isnull=False)
    if owner is not None:
        perceived_qs = perceived_qs.filter(checkin__owner=owner)
    if id_range is not None:
        perceived_qs = perceived_qs.filter(other_id__gte=id_range[0], other_id__lt=id_range[1])
    rows = list(perceived_qs.values_list("other_id", "checkin__owner_id", "checkin__local_date", "value"))
    if not rows:
        return 0
    owner_of = {other_id: owner_id for other_id, owner_id, _, _ in rows}
    others = sorted(owner_of)
    labels = boundary_queries.tracked_person_names(others)
    perceived = _day_grid([(o, d, v) for o, _, d, v in rows], others, start)
    owners = sorted(set(owner_of.values()))
    own_by_owner = _own_moods(owners, start)
    position = {owner_id: i for i, owner_id in enumerate(owners)}
    own = own_by_owner[[position[owner_of[o]] for o in others]]
    from dynamics.coupling import fit_solo

    ids = [str(o) for o in others]
    results = fit_solo(
        own,
        perceived,
        ids=ids,
        other_labels=[labels.get(o, "") for o in others],
        start=start,
        window=WINDOW,
        step=STEP,
    )
    # The solo population: own mood and the mood one sees in the other, as a role pair.
    pooled = _pooled(
        np.stack([own, perceived], axis=2),
        ids,
        [("you", labels.get(o, "them")) for o in others],
        [("own mood", "their mood as seen")] * len(others),
    )
    _write_reports(
        CouplingReport.Kind.SOLO,
        "other",
        {
            o: ({**result.as_json(), "pooled": pooled.get(str(o))}, owner_of[o])
            for o, result in zip(others, results, strict=True)
        },
    )
    return len(others)


def joint_consents(link: FamilyLink) -> dict[int, tuple[bool, bool]]:
    """user id -> (opted in, share with the other) for both sides of a link.

    Uses the link's prefetched ``joint_consents`` when there are any (the nightly batch
    prefetches them: no query per link)."""
    found = {c.user_id: (c.opted_in, c.share_with_other) for c in link.joint_consents.all()}
    parties = [link.inviter_id, link.invitee_id]
    return {uid: found.get(uid, (False, False)) for uid in parties if uid is not None}


def _both_opted_in(link: FamilyLink) -> bool:
    return bool(link.invitee_id) and all(opted for opted, _ in joint_consents(link).values())


def _eligible_links(id_range: tuple[int, int] | None = None) -> list[FamilyLink]:
    links = active_links().prefetch_related("joint_consents")
    if id_range is not None:
        links = links.filter(pk__gte=id_range[0], pk__lt=id_range[1])
    return [link for link in links if _both_opted_in(link)]


def recompute_joint(
    link: FamilyLink | None = None, *, id_range: tuple[int, int] | None = None, prune_only: bool = False
) -> int:
    """Fit every linked pair where both opted in, in one batch (or one chunk of links).

    Run over all links (no ``link``, no ``id_range``) it also removes the reports of
    links that are no longer eligible; ``prune_only`` does only that."""
    links = [link] if link is not None else _eligible_links(id_range)
    links = [lk for lk in links if _both_opted_in(lk)]
    if link is None and id_range is None:
        stale = CouplingReport.objects.filter(kind=CouplingReport.Kind.JOINT).exclude(link__in=links)
        stale.delete()
    if not links or prune_only:
        return 0
    from dynamics.coupling import fit_pairs

    start = _grid_start(timezone.now().date())
    people = sorted({u for lk in links for u in (lk.inviter_id, lk.invitee_id) if u is not None})
    own = _own_moods(people, start)
    position = {person: i for i, person in enumerate(people)}
    y = np.stack(
        [own[[position[lk.inviter_id] for lk in links]], own[[position[lk.invitee_id or 0] for lk in links]]], axis=2
    )
    results = fit_pairs(
        y,
        persons=[(str(lk.inviter_id), str(lk.invitee_id)) for lk in links],
        pair_ids=[str(lk.pk) for lk in links],
        # Nobody's display name goes into the words: each side reads them with its own label
        # for the other (see wording_for), never the name the other person gave themselves.
        labels=[(INVITER, INVITEE) for _ in links],
        start=start,
        window=WINDOW,
        step=STEP,
    )
    pooled = _pooled(
        y,
        [str(lk.pk) for lk in links],
        [(str(lk.inviter_id), str(lk.invitee_id)) for lk in links],
        [("inviter", "invitee")] * len(links),
    )
    _write_reports(
        CouplingReport.Kind.JOINT,
        "link",
        {
            lk.pk: ({**result.as_json(), "pooled": pooled.get(str(lk.pk))}, None)
            for lk, result in zip(links, results, strict=True)
        },
    )
    return len(links)


def chunks(kind: str, size: int) -> list[tuple[int, int]]:
    """Id ranges of at most SIZE ids covering every tracked person (solo) or link (joint)."""
    if kind == CouplingReport.Kind.SOLO:
        top = PerceivedMood.objects.order_by("-other_id").values_list("other_id", flat=True).first()
    else:
        top = boundary_queries.largest_link_id()
    if not top:
        return []
    return [(lo, lo + size) for lo in range(1, top + 1, size)]


def effects_with_chance(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's effects, each with ``chance``: True (stronger than chance), False
    (within chance) or None — by the same rule the sentence uses, so they never disagree."""
    from dynamics.coupling.wording import stronger_than_chance

    out = []
    for effect in result.get("effects", []):
        ci = effect.get("ci95")
        chance = stronger_than_chance((ci[0], ci[1]), effect.get("exceeds_chance")) if ci else None
        out.append({**effect, "chance": chance})
    return out


def pooled_summary(result: Mapping[str, Any]) -> dict[str, Any] | None:
    """The pooled cross-lagged effect (the other's mood yesterday → yours today) of a
    stored report, with the per-pair estimate and where the population came from."""
    pooled = result.get("pooled") or {}
    effect = next(
        (e for e in pooled.get("effects", []) if e.get("kind") == "cross_lagged" and e.get("to") == "you"),
        None,
    )
    if effect is None or effect.get("estimate") is None:
        return None
    population = pooled.get("population") or {}
    pops = population.get("populations") or [{}]
    return {
        "estimate": effect["estimate"],
        "ci95": effect.get("ci95"),
        "unpooled": (effect.get("unpooled") or {}).get("estimate"),
        "unpooled_ci95": (effect.get("unpooled") or {}).get("ci95"),
        "own_share": effect.get("own_data_share"),
        "own_share_percent": None if effect.get("own_data_share") is None else round(100 * effect["own_data_share"]),
        "from_population": bool(pooled.get("pooled_from_population")),
        "source": population.get("source"),
        "n_pairs": pops[0].get("n_pairs"),
    }


INVITER, INVITEE = "PERSON_A", "PERSON_B"


def _starting_with(capital: str) -> Callable[[re.Match[str]], str]:
    return lambda match: match.group(1) + capital


def wording_for(text: str, *, viewer_is_inviter: bool, other_label: str) -> str:
    """A joint report's sentence as one side reads it: "you" for themselves, and their own
    label for the other person (e.g. "my mother")."""
    me, them = (INVITER, INVITEE) if viewer_is_inviter else (INVITEE, INVITER)
    other_poss = other_label + ("'" if other_label.endswith("s") else "'s")
    for token, poss, plain in ((me, "your", "you"), (them, other_poss, other_label)):
        for source, target in ((f"{token}'s", poss), (token, plain)):
            capital = target[:1].upper() + target[1:]
            text = re.sub(rf"(^|[.!?]\s+){re.escape(source)}", _starting_with(capital), text)
            text = text.replace(source, target)
    return text


def solo_reports(owner: User) -> list[CouplingReport]:
    return list(CouplingReport.objects.filter(kind=CouplingReport.Kind.SOLO, owner=owner).select_related("other"))


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
        CouplingReport.objects.filter(kind=CouplingReport.Kind.JOINT, link=link).delete()
    return consent


def links_of(user: User) -> list[FamilyLink]:
    return boundary_queries.links_of(user)


def plain_answer(result: Mapping[str, Any], other: str) -> str:
    """The page's answer in one sentence, before any detail: how closely the person's mood
    moved with how OTHER seemed, and whether that changed — a pattern, never a cause.

    The change compares the first and the last 4-week window (``change`` in the report,
    with its ``z``/``p``); a difference within chance is called so."""
    from dynamics.coupling.wording import poss, stronger_than_chance

    theirs = poss(other or "them")
    series = window_series(dict(result), "concurrent")
    change = next(iter((result.get("change") or {}).get("concurrent") or []), None)
    if change and change.get("first") is not None and change.get("p") is not None and len(series) >= 2:
        first, last = change["first"], change["last"]
        numbers = f"({first:.2f} → {last:.2f})"
        start = date.fromisoformat(str(series[0]["end"]))
        earlier = f"in the {WINDOW // 7} weeks up to {start.day} {start:%B}"
        closer = "more" if last > first else "less"
        sentence = f"Over the last {WINDOW // 7} weeks your mood moved {closer} with {theirs} than {earlier} {numbers}"
        if change["p"] >= 0.05:
            return sentence + ", but a difference this size is within chance."
        return sentence + "."
    overall = next((e for e in result.get("effects", []) if e.get("kind") == "concurrent"), None)
    if overall is None or overall.get("estimate") is None or not overall.get("ci95"):
        who = other or "they"
        return f"Not enough days yet with both your mood and how {who} seemed to say how they move together."
    ci = overall["ci95"]
    if stronger_than_chance((ci[0], ci[1]), overall.get("exceeds_chance")) is False:
        return f"No clear link so far between your mood and {theirs} as you saw it ({overall['estimate']:.2f})."
    if overall["estimate"] > 0:
        return f"So far your mood has tended to move with {theirs} as you saw it ({overall['estimate']:.2f})."
    return f"So far your mood has tended to go the other way from {theirs} as you saw it ({overall['estimate']:.2f})."
