"""The nightly coupling recompute at scale, on PostgreSQL: 5,000 clients with 120 days of
check-ins each (and 2,500 linked family pairs, both sides opted in to a joint report),
recomputed the way the product runs it.

    .venv/bin/python -m bench.nightly                       # 5,000 clients × 120 days
    .venv/bin/python -m bench.nightly --clients 500 --no-write   # a quick look

It creates (and drops) its own PostgreSQL database ``individuate_nightly`` (or
``$NIGHTLY_DB``) on 127.0.0.1:5432 (user postgres). The population is fictional: pairs of clients whose
daily moods follow a random stationary VAR(1) (``bench._common``), each client tracking
the other as "my partner" (how they see the partner's mood: the partner's mood plus
noise), the two linked by a family link.

What is timed is the whole nightly task, ``checkins.tasks.recompute_coupling``, with the
Django Tasks *immediate* backend: the task estimates the populations, queues one
``recompute_coupling_chunk`` per id range (``COUPLING_CHUNK_IDS``) and each chunk runs at
once, in this process — the same code a task worker runs, one chunk after another. It is
run twice: the first run creates every report, the second (a rerun, as after a crash)
overwrites them. Queries are counted with Django's ``CaptureQueriesContext``; rows
written are the reports (and population rows) whose timestamp is from the run.
Results go to ``bench/RESULTS.md`` (section ``## nightly —``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DB_NAME = os.environ.get("NIGHTLY_DB", "individuate_nightly")  # another name: side by side with another run
PG = os.environ.get("NIGHTLY_PG", "postgres://postgres@127.0.0.1:5432")
TARGET_S = 10.0


def _env(chunk: int | None, workers: int = 0) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"{PG}/{DB_NAME}",
        DEBUG="0",
        SECRET_KEY="nightly-bench-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # in-process (one worker's view) or, with --workers, real task workers on the database queue
        TASKS_BACKEND="django_tasks_db.DatabaseBackend"
        if workers
        else "django_tasks.backends.immediate.ImmediateBackend",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    if chunk:
        env["COUPLING_CHUNK_IDS"] = str(chunk)
    return env


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True, capture_output=True)


# ---------------------------------------------------------------- inside Django


def seed(clients: int, days: int, seed_: int) -> dict[str, Any]:
    """The fictional practice network, in bulk (COPY for the 2 × clients × days rows)."""
    from datetime import UTC, datetime, timedelta
    from datetime import time as dtime

    import numpy as np
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from bench._common import draw_truth, simulate
    from individuate.accounts.models import User
    from individuate.boundaries.models import FamilyLink, TrackedPerson
    from individuate.checkins.models import CheckIn, JointConsent, PerceivedMood

    started = time.perf_counter()
    rng = np.random.default_rng(seed_)
    pairs = clients // 2
    truth = draw_truth(rng, pairs, inertia=(0.2, 0.6), cross=(0.0, 0.25), rho=(0.0, 0.4))
    y = simulate(rng, truth, days)  # (pairs, days, 2)
    mood = np.clip(np.rint(y), 0, 10).astype(int).reshape(pairs, days, 2).transpose(0, 2, 1).reshape(clients, days)
    partner = mood.reshape(pairs, 2, days)[:, ::-1].reshape(clients, days)
    seen = np.clip(np.rint(partner + rng.normal(0, 0.7, partner.shape)), 0, 10).astype(int)

    password = make_password("nightly-bench-password")
    users = User.objects.bulk_create(
        (User(email=f"n{i}@nightly.invalid", display_name=f"N {i}", password=password) for i in range(clients)),
        batch_size=2000,
    )
    others = TrackedPerson.objects.bulk_create(
        (TrackedPerson(owner=u, name="my partner", role="partner") for u in users), batch_size=2000
    )
    links = FamilyLink.objects.bulk_create(
        (
            FamilyLink(
                inviter=users[2 * k],
                inviter_other=others[2 * k],
                invitee_email=users[2 * k + 1].email,
                invitee=users[2 * k + 1],
                invitee_other=others[2 * k + 1],
                status=FamilyLink.Status.ACTIVE,
                token_hash=f"{k:064x}",
            )
            for k in range(pairs)
        ),
        batch_size=2000,
    )
    JointConsent.objects.bulk_create(
        (
            JointConsent(link=lk, user_id=uid, opted_in=True, share_with_other=True)
            for lk in links
            for uid in (lk.inviter_id, lk.invitee_id)
        ),
        batch_size=2000,
    )
    today = timezone.now().date()
    checkin_table, perceived_table = CheckIn._meta.db_table, PerceivedMood._meta.db_table
    now = timezone.now()
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cur:
        next_id = 1
        with cur.copy(
            f"COPY {checkin_table} (id, owner_id, at, local_date, mood, guilt, anger, anxiety, note, updated_at) "
            "FROM STDIN"
        ) as cp:
            for i, u in enumerate(users):
                for d in range(days):
                    day = today - timedelta(days=days - d)
                    at = datetime.combine(day, dtime(20, 0), tzinfo=UTC)
                    cp.write_row((next_id + d, u.pk, at, day, int(mood[i, d]), 3, 2, 4, "", now))
                next_id += days
        with cur.copy(f"COPY {perceived_table} (checkin_id, other_id, value) FROM STDIN") as cp:
            for i, o in enumerate(others):
                base = 1 + i * days
                for d in range(days):
                    cp.write_row((base + d, o.pk, int(seen[i, d])))
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{checkin_table}', 'id'), %s)", [next_id])
        cur.execute(f"ANALYZE {checkin_table}")
        cur.execute(f"ANALYZE {perceived_table}")
    raw.commit() if not raw.autocommit else None
    return {
        "clients": clients,
        "days": days,
        "links": len(links),
        "checkins": CheckIn.objects.count(),
        "perceived": PerceivedMood.objects.count(),
        "seconds": time.perf_counter() - started,
    }


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """user + system CPU seconds of each process still alive (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _server_pids() -> list[int]:
    """The database server's backends serving this database (they do the SQL work)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [row[0] for row in cur.fetchall()]


def _cpu_since(before: dict[int, float], now: dict[int, float]) -> float:
    return sum(v - before.get(pid, 0.0) for pid, v in now.items())


def _one_run(workers: list[int] | None = None) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from individuate.checkins import models as cm
    from individuate.checkins.tasks import CHUNK_IDS, recompute_coupling

    before = cm.CouplingReport.objects.count()
    since = timezone.now()
    workers = workers or []
    worker_cpu, server_cpu = _cpu_seconds(workers), _cpu_seconds(_server_pids())
    with CaptureQueriesContext(connection) as queries:
        t, cpu = time.perf_counter(), time.process_time()
        counts = recompute_coupling.call()
        cpu = time.process_time() - cpu
    _wait_for_chunks(since)  # outside the query count: its polling is the bench's, not the product's
    seconds = time.perf_counter() - t
    worker_cpu_s = _cpu_since(worker_cpu, _cpu_seconds(workers))
    server_cpu_s = _cpu_since(server_cpu, _cpu_seconds(_server_pids()))
    written = cm.CouplingReport.objects.filter(computed_at__gte=since)
    by_kind = {k: written.filter(kind=k).count() for k in ("solo", "joint")}
    populations = []
    if hasattr(cm, "CouplingPopulation"):
        for pop in cm.CouplingPopulation.objects.filter(computed_at__gte=since).order_by("kind"):
            populations.append({"kind": pop.kind, "source": pop.source, "n_pairs": pop.n_pairs})
    kinds: dict[str, int] = {}
    for q in queries.captured_queries:
        word = q["sql"].lstrip().split(" ", 1)[0].upper()
        kinds[word] = kinds.get(word, 0) + 1
    with connection.cursor() as cur:
        table = cm.CouplingReport._meta.db_table  # our own table's name, not input
        cur.execute(f"SELECT avg(octet_length(result::text)), pg_total_relation_size(%s) FROM {table}", [table])  # noqa: S608
        avg_bytes, table_bytes = cur.fetchone()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "worker_cpu_seconds": worker_cpu_s,
        "server_cpu_seconds": server_cpu_s,
        "report_json_bytes": float(avg_bytes or 0),
        "table_bytes": int(table_bytes or 0),
        "queries": len(queries),
        "query_kinds": kinds,
        "chunks": {"solo": counts.get("solo"), "joint": counts.get("joint")},
        "chunk_ids": CHUNK_IDS,
        "reports_written": by_kind,
        "reports_created": cm.CouplingReport.objects.count() - before,
        "populations": populations,
        "sample_report_population": _population_of_a_report(),
    }


def _wait_for_chunks(since: Any, timeout: float = 600) -> None:
    """With task workers (``--workers``): until every chunk (and population task) queued
    since ``since`` has finished. With the immediate backend they already have."""
    from django.conf import settings

    if "django_tasks_db" not in settings.INSTALLED_APPS or "Immediate" in settings.TASKS["default"]["BACKEND"]:
        return
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    # the chunks, and the population tasks that queue them (a population task queues its
    # chunks before it finishes: once none of either is left unfinished, all are done)
    chunks = DBTaskResult.objects.filter(
        task_path__regex=r"recompute_coupling_(chunk|population)$", enqueued_at__gte=since
    )
    deadline = time.monotonic() + timeout
    while chunks.exclude(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]).exists():
        if time.monotonic() > deadline:
            raise SystemExit("the task workers did not finish the chunks in time")
        time.sleep(0.05)
    failed = chunks.filter(status=TaskResultStatus.FAILED).count()
    if failed:
        raise SystemExit(f"{failed} chunk task(s) failed")


def _population_of_a_report() -> dict[str, Any] | None:
    from individuate.checkins.models import CouplingReport

    report = CouplingReport.objects.filter(kind="solo").order_by("other_id").first()
    if report is None:
        return None
    pop = (report.result.get("pooled") or {}).get("population") or {}
    return {"source": pop.get("source"), "n_pairs": [p.get("n_pairs") for p in pop.get("populations", [])]}


def _profile(out: Path) -> str:
    """One more run under cProfile (the standard library's profiler): the top of its
    cumulative-time table goes to OUT."""
    import cProfile
    import io
    import pstats

    from individuate.checkins.tasks import recompute_coupling

    profiler = cProfile.Profile()
    profiler.enable()
    recompute_coupling.call()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(30)
    out.write_text(text.getvalue())
    return str(out)


def inside(out: Path, clients: int, days: int, seed_: int, profile: Path | None, workers: int = 0) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "individuate.config.settings")
    django.setup()
    seeded = seed(clients, days, seed_)
    procs = [
        subprocess.Popen(  # real task workers, as a deployment runs them
            [
                PY,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--no-reload",
                "--interval",
                "0.05",
                "--verbosity",
                "0",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        for _ in range(workers)
    ]
    try:
        time.sleep(3 if workers else 0)  # let them start before the clock does
        pids = [proc.pid for proc in procs]
        first = _one_run(pids)
        second = _one_run(pids)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    result = {"seed": seeded, "runs": [first, second]}
    if profile:
        result["profile"] = _profile(profile)
    out.write_text(json.dumps(result, indent=2, default=str))


# ---------------------------------------------------------------- orchestration


def run(
    clients: int, days: int, chunk: int | None, seed_: int, write: bool, profile: Path | None, workers: int = 0
) -> int:
    env = _env(chunk, workers)
    load_before = os.getloadavg()
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DB_NAME}")
    try:
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "nightly.json"
            cmd = [PY, "-m", "bench.nightly", "--inside", str(out), "--clients", str(clients), "--days", str(days),
                   "--seed", str(seed_), "--workers", str(workers)]  # fmt: skip
            if profile:
                cmd += ["--profile", str(profile)]
            subprocess.run(cmd, cwd=ROOT, env=env, check=True)
            result = json.loads(out.read_text())
    finally:
        _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    result["load"] = [load_before, os.getloadavg()]
    return _report(result, clients, days, chunk, write, workers)


def _report(r: dict[str, Any], clients: int, days: int, chunk: int | None, write: bool, workers: int = 0) -> int:
    from bench._common import md_table, verdict

    s = r["seed"]
    first, second = r["runs"]
    ok = first["seconds"] <= TARGET_S and second["seconds"] <= TARGET_S
    args = "" if (clients, days) == (5000, 120) else f" --clients {clients} --days {days}"
    args += f" --chunk {chunk}" if chunk else ""
    args += f" --workers {workers}" if workers else ""
    how = (
        f"on {workers} real task workers (`db_worker`, the database queue) — timed until the last chunk finished"
        if workers
        else "with the immediate task backend: the chunks run one after another in this process, as one task "
        "worker would run them"
    )
    rows = []
    for name, run_ in (("first run (creates the reports)", first), ("rerun (overwrites them)", second)):
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(run_["query_kinds"].items()))
        pops = "; ".join(f"{p['kind']}: {p['source']}, {p['n_pairs']} pairs" for p in run_["populations"]) or "—"
        rows.append([
            name,
            f"{run_['seconds']:.2f} s / {run_['cpu_seconds']:.2f} s"
            + (f" + {run_['worker_cpu_seconds']:.2f} s" if workers else "")
            + f" + {run_.get('server_cpu_seconds', 0.0):.2f} s",
            f"{run_['queries']} ({kinds})",
            f"{run_['reports_written']['solo']:,} solo + {run_['reports_written']['joint']:,} joint",
            f"{run_['chunks']['solo']} solo + {run_['chunks']['joint']} joint (≤ {run_['chunk_ids']:,} ids each)",
            pops,
            verdict(run_["seconds"] <= TARGET_S),
        ])  # fmt: skip
    lines = [
        "## nightly — the nightly coupling recompute at scale, on PostgreSQL",
        "",
        f"`.venv/bin/python -m bench.nightly{args}` — {s['clients']:,} fictional clients × {s['days']} days of "
        f"check-ins ({s['checkins']:,} check-ins, {s['perceived']:,} perceived moods), {s['links']:,} family links "
        f"with both sides opted in; seeded in {s['seconds']:.0f} s. Timed: the whole nightly task "
        f"`recompute_coupling` (populations, then every chunk, {how}). "
        f"Load average before/after: {r['load'][0][0]:.1f} / {r['load'][1][0]:.1f} (2 cores).",
        "",
        md_table(
            [
                "run",
                "wall / CPU time"
                + (" (this process + workers + database)" if workers else " (this process + database)"),
                "queries",
                "reports written",
                "chunks",
                "populations",
                f"≤ {TARGET_S:g} s",
            ],
            rows,
            align="lrllllr",
        ),
        "",
        f"Each stored report is {first['report_json_bytes'] / 1000:.1f} kB of JSON on average (the table with its "
        f"indexes and TOAST: {second['table_bytes'] / 2**20:.0f} MiB). CPU time: this process's, then (with "
        "--workers) the task workers', then the database server's backends for this database (from /proc).",
        "",
        f"Overall: **{verdict(ok)}** (target: {s['clients']:,} clients with {s['days']} days each in ≤ "
        f"{TARGET_S:g} s on PostgreSQL).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if write:
        from bench._common import write_section

        write_section("nightly", text)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--chunk", type=int, default=None, help="COUPLING_CHUNK_IDS (default: the product's)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--profile", type=Path, help="also profile a third run with cProfile into this file")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run the chunks on this many real task workers (db_worker) instead of in-process",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clients < 2 or args.clients % 2:
        parser.error("--clients must be an even number ≥ 2 (clients come in linked pairs)")
    if args.inside:
        inside(args.inside, args.clients, args.days, args.seed, args.profile, args.workers)
        return 0
    return run(args.clients, args.days, args.chunk, args.seed, not args.no_write, args.profile, args.workers)


if __name__ == "__main__":
    raise SystemExit(main())
