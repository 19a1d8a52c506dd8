"""One pooled population per kind for the whole nightly run: estimated once from the
deployment, stored (aggregate only), and read by every chunk and by the on-demand refresh."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from conftest import make_user
from individuate.boundaries.models import TrackedPerson
from individuate.checkins import coupling, tasks
from individuate.checkins.models import CheckIn, CouplingPopulation, CouplingReport, PerceivedMood


def _people(n: int, days: int = 60, offset: int = 0) -> list[TrackedPerson]:
    """N people, each tracking one other; own mood follows the perceived mood a little."""
    rng = np.random.default_rng(7 + offset)
    today = timezone.now().date()
    people = []
    for k in range(n):
        owner = make_user(f"pop{offset + k}@example.com", f"Pop {offset + k}")
        other = TrackedPerson.objects.create(owner=owner, name="my parent", role="parent")
        seen = np.clip(np.rint(5 + rng.normal(0, 1.5, days)), 0, 10)
        own = np.clip(np.rint(5 + 0.4 * np.roll(seen - 5, 1) + rng.normal(0, 1.2, days)), 0, 10)
        checkins = CheckIn.objects.bulk_create(
            CheckIn(
                owner=owner,
                at=timezone.now() - timedelta(days=d),
                local_date=today - timedelta(days=d),
                mood=int(own[d]),
                guilt=3,
                anger=2,
                anxiety=4,
            )
            for d in range(days)
        )
        PerceivedMood.objects.bulk_create(
            PerceivedMood(checkin=c, other=other, value=int(seen[d])) for d, c in enumerate(checkins)
        )
        people.append(other)
    return people


def _population_block(other: TrackedPerson) -> dict:
    report = CouplingReport.objects.get(kind="solo", other=other)
    return report.result["pooled"]["population"]


@pytest.mark.django_db
def test_two_chunks_get_the_same_stored_population(settings) -> None:  # type: ignore[no-untyped-def]
    settings.COUPLING_POPULATION_MIN_PAIRS = 6
    people = _people(10)
    ids = sorted(p.pk for p in people)
    stored = coupling.estimate_population("solo")
    assert (stored.source, stored.n_pairs, stored.eligible) == ("batch", 10, 10)
    # aggregate only: the mean and covariance of four effects, nothing per person
    assert set(stored.model) == {"name", "roles", "mean", "cov", "mean_cov", "effects", "note"}
    assert len(stored.model["mean"]) == 4 and "10 pairs" in stored.model["note"]
    first, second = (ids[0], ids[3]), (ids[3], ids[-1] + 1)
    assert coupling.recompute_solo(id_range=first) == 3
    assert coupling.recompute_solo(id_range=second) == 7
    blocks = [_population_block(p) for p in people]
    assert all(b == blocks[0] for b in blocks)
    assert blocks[0]["source"] == "batch"
    pop = blocks[0]["populations"][0]
    assert pop["n_pairs"] == 10 and pop["effects"] == stored.model["effects"]
    # the on-demand refresh of one person shrinks toward the same population
    coupling.recompute_solo(people[0].owner)
    assert _population_block(people[0]) == blocks[0]


@pytest.mark.django_db
def test_a_chunks_own_pairs_do_not_make_its_population(settings) -> None:  # type: ignore[no-untyped-def]
    """The same person, fitted in a chunk of 3 or a chunk of 10, gets the same pooled estimate."""
    settings.COUPLING_POPULATION_MIN_PAIRS = 3
    people = _people(10)
    ids = sorted(p.pk for p in people)
    coupling.estimate_population("solo")
    coupling.recompute_solo(id_range=(ids[0], ids[3]))
    small = CouplingReport.objects.get(kind="solo", other_id=ids[0]).result["pooled"]
    coupling.recompute_solo(id_range=(ids[0], ids[-1] + 1))
    large = CouplingReport.objects.get(kind="solo", other_id=ids[0]).result["pooled"]
    assert small["effects"] == large["effects"]


@pytest.mark.django_db
def test_below_the_minimum_the_prior_is_used_and_the_report_says_so(settings) -> None:  # type: ignore[no-untyped-def]
    from dynamics.pooled import LITERATURE_PRIOR

    settings.COUPLING_POPULATION_MIN_PAIRS = 50
    people = _people(4)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    tasks.recompute_coupling.call()
    stored = CouplingPopulation.objects.get(kind="solo")
    assert (stored.source, stored.n_pairs, stored.eligible) == ("prior", 4, 4)
    assert stored.model["mean"] == LITERATURE_PRIOR.mean_vector().tolist()
    block = _population_block(people[0])
    assert block["source"] == "prior"
    note = block["populations"][0]["note"]
    assert "fewer than the minimum of 50" in note and "built-in prior" in note
    summary = coupling.pooled_summary(CouplingReport.objects.get(kind="solo", other=people[0]).result)
    assert summary is not None and summary["source"] == "prior"


@pytest.mark.django_db
def test_without_a_stored_population_the_refresh_uses_the_prior() -> None:
    person = _people(1)[0]
    assert coupling.recompute_solo(person.owner) == 1
    block = _population_block(person)
    assert block["source"] == "prior" and "no population of this deployment" in block["populations"][0]["note"]
    assert not CouplingPopulation.objects.exists()  # the refresh reads, it never estimates


@pytest.mark.django_db
def test_a_rerun_of_a_chunk_is_idempotent(settings) -> None:  # type: ignore[no-untyped-def]
    settings.COUPLING_POPULATION_MIN_PAIRS = 3
    people = _people(5)
    ids = sorted(p.pk for p in people)
    coupling.estimate_population("solo")
    chunk = (ids[0], ids[-1] + 1)
    coupling.recompute_solo(id_range=chunk)
    before = {r.other_id: (r.pk, r.result) for r in CouplingReport.objects.filter(kind="solo")}
    coupling.recompute_solo(id_range=chunk)
    after = {r.other_id: (r.pk, r.result) for r in CouplingReport.objects.filter(kind="solo")}
    assert after == before  # same rows (same ids), same results
    assert CouplingReport.objects.filter(kind="solo").count() == 5


@pytest.mark.django_db
def test_the_sample_bounds_the_population_pass(settings) -> None:  # type: ignore[no-untyped-def]
    settings.COUPLING_POPULATION_MIN_PAIRS = 3
    settings.COUPLING_POPULATION_SAMPLE_PAIRS = 6
    _people(9)
    stored = coupling.estimate_population("solo")
    assert (stored.source, stored.n_pairs, stored.eligible) == ("batch", 6, 9)
    assert "a random sample of 6 of the 9 eligible" in stored.model["note"]
    again = coupling.estimate_population("solo")  # the same sample all night: the same population
    assert again.model["mean"] == stored.model["mean"]
    assert CouplingPopulation.objects.count() == 1


@pytest.mark.django_db
def test_the_nightly_run_estimates_each_population_once_before_its_chunks(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.COUPLING_POPULATION_MIN_PAIRS = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    people = _people(6)
    monkeypatch.setattr(tasks, "CHUNK_IDS", 2)
    counts = tasks.recompute_coupling.call()
    assert counts["solo"] >= 3
    assert set(CouplingPopulation.objects.values_list("kind", "source")) == {("solo", "batch"), ("joint", "prior")}
    blocks = [_population_block(p) for p in people]
    assert all(b == blocks[0] for b in blocks) and blocks[0]["populations"][0]["n_pairs"] == 6


@pytest.mark.django_db
def test_the_stored_report_is_the_engines_json_plus_pooled() -> None:
    """Reports are written as text straight from the engine's records: the same document
    as ``fit_solo(...)[k].as_json()`` (the windows' sentences stored as their numbers only,
    ``report_json`` giving them back)."""
    from dynamics.coupling import fit_solo

    people = _people(3)
    coupling.recompute_solo()
    batch = coupling._solo_batch()
    assert batch is not None
    labels = dict(TrackedPerson.objects.values_list("id", "name"))
    expected = fit_solo(
        batch.own,
        batch.perceived,
        ids=[str(o) for o in batch.others],
        other_labels=[labels[o] for o in batch.others],
        start=batch.start,
        window=coupling.WINDOW,
        step=coupling.STEP,
    )
    for other, result in zip(batch.others, expected, strict=True):
        report = CouplingReport.objects.get(kind="solo", other_id=other)
        stored = coupling.report_json(report)
        pooled = stored.pop("pooled")
        assert stored == result.as_json()
        assert report.result["windows"] != stored["windows"]  # stored without the sentences
        assert pooled["pair_id"] == str(other) and pooled["population"]["source"] == "prior"
    assert len(expected) == len(people)
