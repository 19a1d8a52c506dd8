"""The product side of the coupling engine: check-ins in, stored reports out.

Querysets become arrays here, at the edge; ``dynamics`` does the numbers for
everyone in one batched call (nightly, or on demand for one person).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from dynamics.pooled import Prior
from individuate.boundaries import queries as boundary_queries
from individuate.boundaries.queries import active_links

from .models import CheckIn, CouplingPopulation, CouplingReport, JointConsent, PerceivedMood

if TYPE_CHECKING:
    from individuate.accounts.models import User
    from individuate.boundaries.models import FamilyLink

HISTORY_DAYS = 180
WINDOW, STEP = 28, 7
WRITE_BATCH = 500
#: The role labels of each kind's pooled population: one's own mood against how one sees
#: the other's (solo), the inviting side against the invited one (joint).
POPULATION_ROLES: dict[str, tuple[str, str]] = {
    CouplingReport.Kind.SOLO: ("own mood", "their mood as seen"),
    CouplingReport.Kind.JOINT: ("inviter", "invitee"),
}
#: ``min_pairs`` that makes the estimator take the population it is given (never one of its batch).
_ALWAYS_GIVEN = 2**62


def _grid_start(today: date) -> date:
    return today - timedelta(days=HISTORY_DAYS - 1)


def _day_grid(
    rows: Sequence[Sequence[Any]], keys: Sequence[int], start: date, cols: tuple[int, int, int] = (0, 1, 2)
) -> np.ndarray:
    """Rows holding (key, day, value) at positions COLS → a (len(keys), HISTORY_DAYS) array
    of daily means, NaN where none. Vectorised: one pass per column, no per-row Python
    arithmetic beyond reading the row."""
    grid = np.full((len(keys), HISTORY_DAYS), np.nan)
    if not rows or not len(keys):
        return grid
    n = len(rows)
    ki, di, vi = cols
    key_arr = np.asarray(keys, dtype=np.int64)
    order = np.argsort(key_arr, kind="stable")
    sorted_keys = key_arr[order]
    k = np.fromiter(map(itemgetter(ki), rows), dtype=np.int64, count=n)
    c = np.fromiter((r[di].toordinal() for r in rows), dtype=np.int64, count=n) - start.toordinal()
    v = np.fromiter((np.nan if r[vi] is None else r[vi] for r in rows), dtype=np.float64, count=n)
    pos = np.minimum(np.searchsorted(sorted_keys, k), len(keys) - 1)
    r = order[pos]
    keep = (sorted_keys[pos] == k) & (c >= 0) & (c < HISTORY_DAYS) & np.isfinite(v)
    flat = r[keep] * HISTORY_DAYS + c[keep]
    size = len(keys) * HISTORY_DAYS
    total = np.bincount(flat, weights=v[keep], minlength=size)
    count = np.bincount(flat, minlength=size)
    np.divide(total, count, out=grid.reshape(-1), where=count > 0)
    return grid


def _own_moods(owner_ids: list[int], start: date) -> np.ndarray:
    """One query: every owner's daily mean mood, as rows in the order of OWNER_IDS."""
    rows = list(
        CheckIn.objects.filter(owner_id__in=owner_ids, local_date__gte=start, mood__isnull=False)
        .order_by()  # no sort: the grid does not care about order
        .values_list("owner_id", "local_date", "mood")
    )
    return _day_grid(rows, owner_ids, start)


# --------------------------------------------------------------------------- the populations


@dataclass(frozen=True)
class _GivenPopulation(Prior):
    """A stored population handed to the estimator as its "prior": any mean vector and
    covariance in the role order of the pairs (the literature prior is exchangeable)."""

    mean: tuple[float, ...] = ()
    cov: tuple[tuple[float, ...], ...] = ()

    def mean_vector(self) -> np.ndarray:
        return np.array(self.mean, dtype=np.float64)

    def cov_matrix(self) -> np.ndarray:
        return np.array(self.cov, dtype=np.float64)


def _effects_json(roles: tuple[str, str], mean: np.ndarray, cov: np.ndarray, mean_cov: np.ndarray | None) -> list:
    """The population's four effects as reports show them (role order of EFFECT_CELLS)."""
    ra, rb = roles
    spec = (("inertia", ra, ra), ("inertia", rb, rb), ("cross_lagged", ra, rb), ("cross_lagged", rb, ra))
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    half = None if mean_cov is None else 1.959963984540054 * np.sqrt(np.maximum(np.diag(mean_cov), 0.0))
    return [
        {
            "kind": kind,
            "from": src,
            "to": dst,
            "mean": float(mean[c]),
            "ci95": None if half is None else [float(mean[c] - half[c]), float(mean[c] + half[c])],
            "sd": float(sd[c]),
        }
        for c, (kind, src, dst) in enumerate(spec)
    ]


def _prior_model(kind: str, note: str) -> dict[str, Any]:
    from dynamics.pooled import LITERATURE_PRIOR

    roles = POPULATION_ROLES[kind]
    mean, cov = LITERATURE_PRIOR.mean_vector(), LITERATURE_PRIOR.cov_matrix()
    return {
        "name": f"{roles[0]}/{roles[1]}",
        "roles": list(roles),
        "mean": mean.tolist(),
        "cov": cov.tolist(),
        "effects": _effects_json(roles, mean, cov, None),
        "note": note,
    }


def _sample(ids: Sequence[int], k: int, seed: int) -> list[int]:
    """At most K of IDS, a seeded random choice (the same all night: the seed is the date)."""
    if len(ids) <= k:
        return list(ids)
    pick = np.random.default_rng(seed).choice(len(ids), size=k, replace=False)
    return sorted(np.asarray(ids, dtype=np.int64)[pick].tolist())


def estimate_population(kind: str) -> CouplingPopulation:
    """One pass over the deployment's eligible pairs of KIND (or a seeded random sample of
    ``COUPLING_POPULATION_SAMPLE_PAIRS`` of them): fit the pooled model, keep only its
    population (mean and covariance of the four lagged effects) and store it. With fewer
    than ``COUPLING_POPULATION_MIN_PAIRS`` usable pairs the literature prior is stored.
    A constant number of queries."""
    from dynamics.pooled import LITERATURE_PRIOR, fit_pooled_arrays

    today = timezone.now().date()
    start = _grid_start(today)
    limit = settings.COUPLING_POPULATION_SAMPLE_PAIRS
    min_pairs = settings.COUPLING_POPULATION_MIN_PAIRS
    y: np.ndarray | None = None
    if kind == CouplingReport.Kind.SOLO:
        eligible = sorted(
            PerceivedMood.objects.filter(checkin__local_date__gte=start, value__isnull=False)
            .order_by()
            .values_list("other_id", flat=True)
            .distinct()
        )
        sample = _sample(eligible, limit, today.toordinal())
        batch = _solo_batch(others=sample if len(sample) < len(eligible) else None) if sample else None
        if batch is not None:
            y = np.stack([batch.own, batch.perceived], axis=2)
    else:
        links = _eligible_links()
        eligible = [lk.pk for lk in links]
        keep = set(_sample(eligible, limit, today.toordinal()))
        sample = [lk.pk for lk in links if lk.pk in keep]
        if sample:
            y = _joint_y([lk for lk in links if lk.pk in keep], start)
    roles = POPULATION_ROLES[kind]
    pop = None
    if y is not None and y.shape[0]:
        fitted = fit_pooled_arrays(y, labels=[roles] * y.shape[0], min_pairs=min_pairs)
        pop = fitted.populations[int(fitted.group[0])]  # one label pair: one population
    sampled = (
        f" (a random sample of {len(sample)} of the {len(eligible)} eligible)" if len(sample) < len(eligible) else ""
    )
    if pop is not None and pop.source == "batch":
        source, n_pairs = CouplingPopulation.Source.BATCH, pop.n_pairs
        model = {
            "name": f"{roles[0]}/{roles[1]}",
            "roles": list(roles),
            "mean": pop.mean.tolist(),
            "cov": pop.cov.tolist(),
            "mean_cov": pop.mean_cov.tolist(),
            "effects": _effects_json(roles, pop.mean, pop.cov, pop.mean_cov),
            "note": f"estimated from {n_pairs} pairs of this deployment{sampled} on {today.isoformat()}",
        }
    else:
        source, n_pairs = CouplingPopulation.Source.PRIOR, 0 if pop is None else pop.n_pairs
        model = _prior_model(
            kind,
            f"only {n_pairs} usable pair(s) in this deployment{sampled} (fewer than the minimum of {min_pairs}): "
            f"built-in prior — {LITERATURE_PRIOR.source}",
        )
    row, _ = CouplingPopulation.objects.update_or_create(
        kind=kind,
        defaults={
            "source": source,
            "n_pairs": n_pairs,
            "eligible": len(eligible),
            "min_pairs": min_pairs,
            "computed_at": timezone.now(),
            "model": model,
        },
    )
    return row


def estimate_populations() -> dict[str, CouplingPopulation]:
    """The nightly run's first step: the solo and the joint population, each estimated once
    from the whole deployment, before any chunk runs."""
    return {kind: estimate_population(kind) for kind in POPULATION_ROLES}


def _stored_population(kind: str) -> tuple[Prior, dict[str, Any]]:
    """The population every report of KIND is shrunk toward: the stored one, or the
    literature prior when none has been estimated yet. Returns the estimator's form and the
    block the reports carry (source, n_pairs, note, effects)."""
    from dynamics.pooled import LITERATURE_PRIOR

    row = CouplingPopulation.objects.filter(kind=kind).first()
    if row is None:
        model = _prior_model(
            kind,
            "no population of this deployment estimated yet (the nightly run does that): "
            f"built-in prior — {LITERATURE_PRIOR.source}",
        )
        source: str = CouplingPopulation.Source.PRIOR
        n_pairs, computed = 0, None
    else:
        model, source, n_pairs, computed = row.model, row.source, row.n_pairs, row.computed_at.isoformat()
    mean = np.asarray(model["mean"], dtype=np.float64)
    cov = np.asarray(model["cov"], dtype=np.float64)
    sd = np.sqrt(np.diag(cov))
    given = _GivenPopulation(
        inertia_mean=float(mean[:2].mean()),
        inertia_sd=float(sd[:2].mean()),
        cross_mean=float(mean[2:].mean()),
        cross_sd=float(sd[2:].mean()),
        source=model["note"],
        mean=tuple(mean.tolist()),
        cov=tuple(tuple(r) for r in cov.tolist()),
    )
    block = {
        "name": model["name"],
        "population_source": source,
        "n_pairs": n_pairs,
        "note": model["note"],
        "effects": model["effects"],
        "computed_at": computed,
    }
    return given, block


def _pooled(kind: str, y: np.ndarray, ids: list[str], persons: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """The pooled estimate of every pair of the batch (see ``dynamics.pooled``): each pair's
    pattern informed by how patterns look across the deployment's pairs — the population
    stored by :func:`estimate_population` (the same for every chunk and for the on-demand
    refresh), or the built-in population from the literature when the deployment has fewer
    than ``COUPLING_POPULATION_MIN_PAIRS`` pairs (50); each report says which."""
    from dynamics.pooled import fit_pooled

    given, block = _stored_population(kind)
    roles = POPULATION_ROLES[kind]
    fitted = fit_pooled(
        y, persons=persons, pair_ids=ids, labels=[roles] * len(ids), min_pairs=_ALWAYS_GIVEN, prior=given
    ).to_json()
    population = {"source": block["population_source"], "populations": [block]}
    return {pair["pair_id"]: {**pair, "population": population} for pair in fitted["pairs"]}


# --------------------------------------------------------------------------- writing reports


def _report_text(record: Any, pooled: Mapping[str, Any] | None) -> str:
    """A report's JSON text straight from the engine's record (the text of
    ``PairResult.as_json()``, written without building the objects), with ``pooled`` added.

    The rolling windows' effects are stored as numbers without their sentences (half of a
    report's text; nothing on a page shows them): :func:`report_json` puts them back,
    the same words, wherever the whole report is handed out (the API, the export)."""
    from dynamics.coupling.results import COMPACT, pair_text

    text = pair_text(record, 0, COMPACT, window_words=False)
    return text[:-1] + ', "pooled": ' + json.dumps(pooled) + "}"


def report_json(report: CouplingReport) -> dict[str, Any]:
    """A stored report's result as the engine wrote it (``PairResult.as_json()`` plus
    ``pooled``): every window's sentence made again from its numbers."""
    from dynamics.coupling.wording import add_window_words

    labels = (INVITER, INVITEE) if report.kind == CouplingReport.Kind.JOINT else None
    return add_window_words(report.result or {}, labels)


def _write_reports(kind: str, key: str, fitted: Mapping[int, tuple[str, int | None]]) -> None:
    """Store one report per KEY id (its result as JSON text, its owner) in bulk: one
    ``INSERT … ON CONFLICT … DO UPDATE`` per batch of WRITE_BATCH (PostgreSQL and SQLite both
    infer the partial unique index that keeps one report per tracked person / link from its
    predicate). A rerun overwrites; two workers writing the same rows cannot duplicate them."""
    if kind not in POPULATION_ROLES or key not in ("other", "link"):
        raise ValueError(f"unknown report kind {kind!r} / key {key!r}")
    if not fitted:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    table = ops.quote_name(CouplingReport._meta.db_table)
    # the table is our own; KIND and KEY were checked above; every value is a parameter
    head = f"INSERT INTO {table} (kind, owner_id, other_id, link_id, computed_at, result) VALUES "  # noqa: S608
    # the literal predicate (not a parameter): that is what lets the database infer the index
    tail = (
        f" ON CONFLICT ({key}_id) WHERE kind = '{kind}' DO UPDATE SET result = excluded.result, "
        "computed_at = excluded.computed_at, owner_id = excluded.owner_id"
    )
    items = list(fitted.items())
    with transaction.atomic(), _bound_cursor() as cursor:
        for lo in range(0, len(items), WRITE_BATCH):
            part = items[lo : lo + WRITE_BATCH]
            params: list[Any] = []
            for key_id, (text, owner_id) in part:
                params += [
                    kind,
                    owner_id,
                    key_id if key == "other" else None,
                    key_id if key == "link" else None,
                    now,
                    text,
                ]
            cursor.execute(head + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(part)) + tail, params)


@contextlib.contextmanager
def _bound_cursor() -> Iterator[Any]:
    """A cursor whose parameters travel apart from the query text on PostgreSQL
    (psycopg's server-side binding: the megabytes of report JSON are neither quoted
    into the statement here nor parsed out of it there — about 40 % less time for 5,000
    reports than client-side binding, and less than COPY into a staging table); elsewhere
    Django's own. Either way wrapped by Django, so queries are logged and counted as usual."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    raw: Any = psycopg.Cursor(connection.connection)  # (the stubs say a wrapper; Django wraps a driver cursor)
    with connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw) as cursor:
        yield cursor


# --------------------------------------------------------------------------- solo


@dataclass
class _SoloBatch:
    others: list[int]  # tracked people, sorted
    owner_of: dict[int, int]
    own: np.ndarray  # (N, HISTORY_DAYS) the owner's own mood
    perceived: np.ndarray  # (N, HISTORY_DAYS) how the owner saw the tracked person
    start: date


def _solo_batch(
    owner: User | None = None, *, id_range: tuple[int, int] | None = None, others: list[int] | None = None
) -> _SoloBatch | None:
    """Two queries: the perceived moods (of OWNER, of the tracked people in ID_RANGE or
    OTHERS, or of everyone) and their owners' own moods, as arrays."""
    start = _grid_start(timezone.now().date())
    perceived_qs = PerceivedMood.objects.filter(checkin__local_date__gte=start, value__isnull=False)
    if owner is not None:
        perceived_qs = perceived_qs.filter(checkin__owner=owner)
    if id_range is not None:
        perceived_qs = perceived_qs.filter(other_id__gte=id_range[0], other_id__lt=id_range[1])
    if others is not None:
        perceived_qs = perceived_qs.filter(other_id__in=others)
    rows = list(perceived_qs.order_by().values_list("other_id", "checkin__owner_id", "checkin__local_date", "value"))
    if not rows:
        return None
    owner_of = dict(zip(map(itemgetter(0), rows), map(itemgetter(1), rows), strict=True))
    tracked = sorted(owner_of)
    perceived = _day_grid(rows, tracked, start, cols=(0, 2, 3))
    owners = sorted(set(owner_of.values()))
    own_by_owner = _own_moods(owners, start)
    position = {owner_id: i for i, owner_id in enumerate(owners)}
    own = own_by_owner[[position[owner_of[o]] for o in tracked]]
    return _SoloBatch(tracked, owner_of, own, perceived, start)


def recompute_solo(owner: User | None = None, *, id_range: tuple[int, int] | None = None) -> int:
    """Fit every (person, other they track) in one batch; store one report each.

    A constant number of queries whatever the number of people: the perceived moods
    and own moods come as value lists straight into arrays. ``id_range`` (tracked
    people's ids, from inclusive, to exclusive) splits the nightly run into chunks that
    several workers can take; a chunk can be rerun safely. The pooled estimates use the
    stored solo population; run over everyone (no ``owner``, no ``id_range``) it
    estimates that population first."""
    if owner is None and id_range is None:
        estimate_population(CouplingReport.Kind.SOLO)
    batch = _solo_batch(owner, id_range=id_range)
    if batch is None:
        return 0
    others, owner_of, own, perceived, start = batch.others, batch.owner_of, batch.own, batch.perceived, batch.start
    labels = boundary_queries.tracked_person_names(others)
    from dynamics.coupling import iter_solo_records
    from dynamics.coupling.results import gc_paused

    ids = [str(o) for o in others]
    records = iter_solo_records(
        own,
        perceived,
        ids=ids,
        other_labels=[labels.get(o, "") for o in others],
        start=start,
        window=WINDOW,
        step=STEP,
        window_words=False,  # stored without them: see _report_text
    )
    # The solo population: own mood and the mood one sees in the other, as a role pair.
    pooled = _pooled(
        CouplingReport.Kind.SOLO,
        np.stack([own, perceived], axis=2),
        ids,
        [("you", labels.get(o, "them")) for o in others],
    )
    with gc_paused():
        texts = {
            o: (_report_text(rec, pooled.get(str(o))), owner_of[o]) for o, rec in zip(others, records, strict=True)
        }
    _write_reports(CouplingReport.Kind.SOLO, "other", texts)
    return len(others)


# --------------------------------------------------------------------------- joint


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
    # only what the batch uses: no user rows, no per-link queries
    links = (
        active_links()
        .select_related(None)
        .only("id", "inviter_id", "invitee_id", "status")
        .prefetch_related(
            Prefetch(
                "joint_consents", JointConsent.objects.only("id", "link_id", "user_id", "opted_in", "share_with_other")
            )
        )
    )
    if id_range is not None:
        links = links.filter(pk__gte=id_range[0], pk__lt=id_range[1])
    return [link for link in links if _both_opted_in(link)]


def _joint_y(links: Sequence[FamilyLink], start: date) -> np.ndarray:
    """One query: (links, HISTORY_DAYS, 2) daily moods of inviter and invitee."""
    people = sorted({u for lk in links for u in (lk.inviter_id, lk.invitee_id) if u is not None})
    own = _own_moods(people, start)
    position = {person: i for i, person in enumerate(people)}
    return np.stack(
        [own[[position[lk.inviter_id] for lk in links]], own[[position[lk.invitee_id or 0] for lk in links]]], axis=2
    )


def recompute_joint(
    link: FamilyLink | None = None, *, id_range: tuple[int, int] | None = None, prune_only: bool = False
) -> int:
    """Fit every linked pair where both opted in, in one batch (or one chunk of links).

    Run over all links (no ``link``, no ``id_range``) it also removes the reports of
    links that are no longer eligible, and (unless ``prune_only``) first estimates the
    joint population; ``prune_only`` does only the removing."""
    links = [link] if link is not None else _eligible_links(id_range)
    links = [lk for lk in links if _both_opted_in(lk)]
    if link is None and id_range is None:
        stale = CouplingReport.objects.filter(kind=CouplingReport.Kind.JOINT).exclude(link__in=links)
        stale.delete()
        if not prune_only:
            estimate_population(CouplingReport.Kind.JOINT)
    if not links or prune_only:
        return 0
    from dynamics.coupling import iter_pair_records
    from dynamics.coupling.results import gc_paused

    start = _grid_start(timezone.now().date())
    y = _joint_y(links, start)
    records = iter_pair_records(
        y,
        persons=[(str(lk.inviter_id), str(lk.invitee_id)) for lk in links],
        pair_ids=[str(lk.pk) for lk in links],
        # Nobody's display name goes into the words: each side reads them with its own label
        # for the other (see wording_for), never the name the other person gave themselves.
        labels=[(INVITER, INVITEE) for _ in links],
        start=start,
        window=WINDOW,
        step=STEP,
        window_words=False,  # stored without them: see _report_text
    )
    pooled = _pooled(
        CouplingReport.Kind.JOINT,
        y,
        [str(lk.pk) for lk in links],
        [(str(lk.inviter_id), str(lk.invitee_id)) for lk in links],
    )
    with gc_paused():
        texts = {
            lk.pk: (_report_text(rec, pooled.get(str(lk.pk))), None) for lk, rec in zip(links, records, strict=True)
        }
    _write_reports(CouplingReport.Kind.JOINT, "link", texts)
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
