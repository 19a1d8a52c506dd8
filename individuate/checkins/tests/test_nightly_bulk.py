"""The nightly recompute is bulk work: its query count does not grow with the number of
people, and its chunks can be run (and rerun) by several workers."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from individuate.boundaries.models import TrackedPerson
from individuate.checkins import coupling, tasks
from individuate.checkins.models import CheckIn, CouplingReport, PerceivedMood


def _people_with_history(n: int, days: int = 40, offset: int = 0) -> list[TrackedPerson]:
    rng = np.random.default_rng(n + offset)
    today = timezone.now().date()
    people = []
    for k in range(n):
        owner = make_user(f"bulk{offset + k}@example.com", f"Bulk {offset + k}")
        other = TrackedPerson.objects.create(owner=owner, name="my parent", role="parent")
        checkins = CheckIn.objects.bulk_create(
            CheckIn(
                owner=owner,
                at=timezone.now() - timedelta(days=d),
                local_date=today - timedelta(days=d),
                mood=int(rng.integers(0, 11)),
                guilt=3,
                anger=2,
                anxiety=4,
            )
            for d in range(days)
        )
        PerceivedMood.objects.bulk_create(
            PerceivedMood(checkin=c, other=other, value=int(rng.integers(0, 11))) for c in checkins
        )
        people.append(other)
    return people


@pytest.mark.django_db
def test_solo_recompute_queries_do_not_grow_with_people() -> None:
    _people_with_history(3)
    with CaptureQueriesContext(connection) as few:
        assert coupling.recompute_solo() == 3
    _people_with_history(30, offset=100)
    with CaptureQueriesContext(connection) as many:
        assert coupling.recompute_solo() == 33
    assert len(many) <= len(few) + 2, [q["sql"][:80] for q in many.captured_queries]
    assert CouplingReport.objects.filter(kind="solo").count() == 33  # updated, not duplicated


@pytest.mark.django_db
def test_a_chunk_is_idempotent_and_covers_only_its_range() -> None:
    people = _people_with_history(4)
    ids = sorted(p.pk for p in people)
    first = (ids[0], ids[2])  # the first two
    assert coupling.recompute_solo(id_range=first) == 2
    assert coupling.recompute_solo(id_range=first) == 2  # rerun: same rows, overwritten
    assert sorted(CouplingReport.objects.values_list("other_id", flat=True)) == ids[:2]
    ranges = coupling.chunks("solo", 2)
    assert ranges and ranges[0][0] == 1 and ranges[-1][1] > ids[-1]


@pytest.mark.django_db
def test_nightly_task_runs_every_chunk(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    people = _people_with_history(5)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(tasks, "CHUNK_IDS", 2)
    counts = tasks.recompute_coupling.call()
    assert counts["solo"] >= 3  # five people in chunks of two ids
    assert CouplingReport.objects.filter(kind="solo").count() == len(people)


@pytest.mark.django_db
def test_list_endpoints_are_paginated_with_a_documented_maximum() -> None:
    from django.test import Client

    from individuate.accounts.actions import issue_api_token

    person = _people_with_history(1, days=120)[0].owner
    _, raw = issue_api_token(person, "t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    first = api.get("/api/checkins").json()
    assert first["count"] == 120 and len(first["items"]) == 50 and first["limit"] == 50
    last = api.get("/api/checkins?limit=200&offset=100").json()
    assert len(last["items"]) == 20
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in last["items"]})
    too_big = api.get("/api/checkins?limit=201")
    assert too_big.status_code == 422 and "limit" in too_big.json()["detail"]
    schema = Client().get("/api/openapi.json").json()
    limit = next(p for p in schema["paths"]["/api/checkins"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200


@pytest.mark.django_db
def test_the_populations_are_tasks_that_queue_their_own_chunks(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The nightly task queues the two population tasks only (two workers take them side by
    side); each stores its population before it queues its kind's chunks."""
    from django_tasks import default_task_backend

    from individuate.checkins.models import CouplingPopulation

    people = _people_with_history(5)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(tasks, "CHUNK_IDS", 2)
    counts = tasks.recompute_coupling.call()

    def queued(t):  # type: ignore[no-untyped-def]
        return [r for r in default_task_backend.results if r.task.func is t.func]

    populations = queued(tasks.recompute_coupling_population)
    assert sorted(r.args[0] for r in populations) == ["joint", "solo"]
    assert not queued(tasks.recompute_coupling_chunk) and not CouplingPopulation.objects.exists()
    for result in populations:
        tasks.recompute_coupling_population.call(*result.args)
    assert set(CouplingPopulation.objects.values_list("kind", flat=True)) == {"solo", "joint"}
    chunks = queued(tasks.recompute_coupling_chunk)
    assert len(chunks) == counts["solo"] + counts["joint"] and counts["solo"] >= 3
    assert not CouplingReport.objects.exists()
    for result in chunks:
        tasks.recompute_coupling_chunk.call(*result.args)
    assert CouplingReport.objects.filter(kind="solo").count() == len(people)


@pytest.mark.django_db
def test_the_whole_nightly_run_queries_do_not_grow_with_people() -> None:
    """Populations, chunks and writes together (immediate backend: every task in this
    process): a constant number of queries."""
    _people_with_history(3)
    with CaptureQueriesContext(connection) as few:
        tasks.recompute_coupling.call()
    _people_with_history(30, offset=100)
    with CaptureQueriesContext(connection) as many:
        tasks.recompute_coupling.call()
    assert CouplingReport.objects.filter(kind="solo").count() == 33
    assert len(many) <= len(few) + 2, [q["sql"][:80] for q in many.captured_queries]
