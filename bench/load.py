"""Load bench against the real stack: gunicorn (DEBUG off) on PostgreSQL with Redis, the
task worker running, 1,000 clients and 50 therapists; a fixed arrival rate for a fixed
time with a realistic mix of requests; latency per endpoint and its ratio to a trivial
page served by the same process in the same run.

    .venv/bin/python -m bench.load                # 100 requests/s for 60 s (the issue's figures)
    .venv/bin/python -m bench.load --rate 50 --seconds 20 --no-write   # a quick look

It creates (and drops) its own PostgreSQL database ``individuate_load`` and uses Redis
database 5; every request goes to 127.0.0.1. Results go to ``bench/RESULTS.md``.

The arrival rate is *open*: request i is sent at t0 + i/rate whether or not earlier ones
have answered, so a slow server shows up as latency and as a shortfall in the served
rate, never as a quietly lower offered load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DB_NAME = "individuate_load"
PG = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("LOAD_REDIS", "redis://127.0.0.1:6379/5")
CLIENTS, THERAPISTS, BIG_PRACTICE, DAYS = 1000, 50, 200, 120

# (name, share of requests). The crisis page is the trivial reference view.
MIX = [
    ("crisis page (trivial)", 0.15),
    ("check-in POST", 0.15),
    ("client dashboard", 0.20),
    ("history", 0.10),
    ("therapist week (200 clients)", 0.10),
    ("API check-ins page", 0.20),
    ("API responses page", 0.10),
]
TARGETS = {  # endpoint -> (statistic, limit in ms or as ratio to the trivial p99)
    "check-in POST": ("p99_ratio", 3.0),
    "client dashboard": ("p95", 150.0),
    "therapist week (200 clients)": ("p95", 150.0),
    "API check-ins page": ("p95", 150.0),
    "API responses page": ("p95", 150.0),
}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"{PG}/{DB_NAME}",
        REDIS_URL=REDIS,
        DEBUG="0",
        SECRET_KEY="load-bench-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True, capture_output=True)


# ---------------------------------------------------------------- population (runs inside Django)


def seed(out: Path) -> None:
    """Create the population in bulk and write the credentials the load generator uses."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "individuate.config.settings")
    django.setup()
    from datetime import timedelta
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806

    from individuate.accounts.actions import issue_api_token, make_therapist
    from individuate.accounts.models import User
    from individuate.boundaries.models import ConsentGrant, TherapistConnection, TrackedPerson
    from individuate.checkins.models import CheckIn, PerceivedMood
    from individuate.measures import actions as measures

    rng = random.Random(7)
    today = timezone.now().date()
    from django.contrib.auth.hashers import make_password

    password = make_password("load-bench-password")  # one (Argon2) hash, shared by the fictional accounts
    clients = User.objects.bulk_create(
        User(email=f"client{i}@load.invalid", display_name=f"Client {i}", password=password, time_zone="Europe/Berlin")
        for i in range(CLIENTS)
    )
    therapists = []
    for i in range(THERAPISTS):
        t = User.objects.create(email=f"therapist{i}@load.invalid", password=password)
        make_therapist(t, f"Dr. Load {i}")
        TOTP.activate(t, generate_totp_secret())
        therapists.append(t)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in [*clients, *therapists]
    )
    others = TrackedPerson.objects.bulk_create(TrackedPerson(owner=c, name="my mother", role="parent") for c in clients)
    checkins = CheckIn.objects.bulk_create(
        (
            CheckIn(
                owner=c,
                at=timezone.now() - timedelta(days=d),
                local_date=today - timedelta(days=d),
                mood=rng.randint(0, 10),
                guilt=rng.randint(0, 10),
                anger=rng.randint(0, 10),
                anxiety=rng.randint(0, 10),
            )
            for c in clients
            for d in range(1, DAYS + 1)
        ),
        batch_size=5000,
    )
    other_of = {o.owner_id: o for o in others}
    PerceivedMood.objects.bulk_create(
        (PerceivedMood(checkin=ci, other=other_of[ci.owner_id], value=rng.randint(0, 10)) for ci in checkins),
        batch_size=5000,
    )
    # One large practice (200 clients, all grants) and the rest spread over the others.
    connections = []
    for i, c in enumerate(clients):
        therapist = therapists[0] if i < BIG_PRACTICE else therapists[1 + i % (THERAPISTS - 1)]
        connections.append(TherapistConnection(therapist=therapist, client=c, initiated_by="client", status="active"))
    connections = TherapistConnection.objects.bulk_create(connections)
    ConsentGrant.objects.bulk_create(
        ConsentGrant(connection=cn, scope=scope) for cn in connections for scope in ("measures", "plans", "checkins")
    )
    for c in clients[:300]:
        r = measures.start_response(c, "gad7")
        measures.save_answers(c, r.pk, {f"gad7_{k}": rng.randint(0, 2) for k in range(1, 8)})
        measures.submit_response(c, r.pk)

    def session_for(user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return str(store.session_key)

    sample = clients[BIG_PRACTICE : BIG_PRACTICE + 200]
    credentials = {
        "clients": [
            {"session": session_for(c), "token": issue_api_token(c, "load")[1], "other": other_of[c.pk].pk}
            for c in sample
        ],
        "therapist": {"session": session_for(therapists[0])},
    }
    out.write_text(json.dumps(credentials))


# ---------------------------------------------------------------- the load generator


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)


def _pick(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for name, share in MIX:
        acc += share
        if x < acc:
            return name
    return MIX[-1][0]


async def _one(client: Any, name: str, base: str, creds: dict[str, Any], rng: random.Random, stats: Stats) -> None:
    person = rng.choice(creds["clients"])
    session = {"Cookie": f"sessionid={person['session']}; csrftoken={'c' * 32}"}
    bearer = {"Authorization": f"Bearer {person['token']}"}
    if name == "crisis page (trivial)":
        method, url, headers, data = "GET", "/crisis/", {}, None
    elif name == "check-in POST":
        form = {
            "mood": rng.randint(0, 10),
            "guilt": rng.randint(0, 10),
            "anger": rng.randint(0, 10),
            "anxiety": rng.randint(0, 10),
            f"perceived_{person['other']}": rng.randint(0, 10),
            "note": "",
        }
        method, url, data = "POST", "/checkin/", {k: str(v) for k, v in form.items()}
        headers = {**session, "X-CSRFToken": "c" * 32, "Referer": f"{base}/checkin/"}
    elif name == "client dashboard":
        method, url, headers, data = "GET", "/dashboard/", session, None
    elif name == "history":
        method, url, headers, data = "GET", "/checkin/history/", session, None
    elif name == "therapist week (200 clients)":
        therapist = {"Cookie": f"sessionid={creds['therapist']['session']}"}
        method, url, headers, data = "GET", "/practice/", therapist, None
    elif name == "API check-ins page":
        method, url, headers, data = "GET", "/api/checkins", bearer, None
    else:
        method, url, headers, data = "GET", "/api/responses", bearer, None
    started = time.perf_counter()
    try:
        async with client.request(method, base + url, headers=headers, data=data, allow_redirects=False) as r:
            await r.read()
            status = r.status
        ok = status == 302 if name == "check-in POST" else status == 200
    except Exception:  # noqa: BLE001 - a refused or timed-out request is an error to count
        ok = False
    elapsed = (time.perf_counter() - started) * 1000
    if ok:
        stats.latencies.setdefault(name, []).append(elapsed)
    else:
        stats.errors[name] = stats.errors.get(name, 0) + 1


async def _drive(base: str, creds: dict[str, Any], rate: float, seconds: float, seed_: int = 1) -> tuple[Stats, float]:
    # aiohttp, not httpx: httpx's async pool used most of a core at 100 requests/s here
    # (the servers idled at 5 %), so the generator, not the app, set the latency.
    import aiohttp

    rng = random.Random(seed_)
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=400)
    timeout = aiohttp.ClientTimeout(total=10.0)
    # no cookie jar: each request carries its persona's cookies itself
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as client:
        tasks = []
        t0 = time.perf_counter()
        total = int(rate * seconds)
        for i in range(total):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            name = _pick(rng)
            stats.sent[name] = stats.sent.get(name, 0) + 1
            tasks.append(asyncio.create_task(_one(client, name, base, creds, rng, stats)))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - t0
    return stats, wall


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# ---------------------------------------------------------------- orchestration


def _wait_for(url: str, seconds: float = 60) -> None:
    import httpx

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server at {url} did not answer")


def run(rate: float, seconds: float, write: bool) -> int:
    env = _env()
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=False, capture_output=True)
    creds_file = Path("/tmp/individuate-load-credentials.json")
    t = time.perf_counter()
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "-m", "bench.load", "--seed", str(creds_file)], cwd=ROOT, env=env, check=True)
    # A live database has planner statistics (autovacuum keeps them); one bulk-loaded a
    # second ago has none, and PostgreSQL then plans nested loops over the whole practice.
    subprocess.run(["psql", f"{PG}/{DB_NAME}", "-q", "-c", "ANALYZE"], check=True, capture_output=True)
    setup_s = time.perf_counter() - t
    creds = json.loads(creds_file.read_text())
    port = _free_port()
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "individuate.config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = subprocess.Popen(
        [PY, "manage.py", "db_worker", "--queue-name", "*", "--no-reload", "--verbosity", "0"], cwd=ROOT, env=env
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/crisis/")
        asyncio.run(_drive(base, creds, rate=min(rate, 20), seconds=3))  # warm-up, not counted
        stats, wall = asyncio.run(_drive(base, creds, rate=rate, seconds=seconds))
    finally:
        for proc in (server, worker):
            proc.send_signal(signal.SIGTERM)
        for proc in (server, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    return _report(stats, wall, rate, seconds, setup_s, write)


def _report(stats: Stats, wall: float, rate: float, seconds: float, setup_s: float, write: bool) -> int:
    trivial = stats.latencies.get("crisis page (trivial)", [])
    t99 = _pct(trivial, 99)
    sent = sum(stats.sent.values())
    served = sum(len(v) for v in stats.latencies.values())
    errors = sum(stats.errors.values())
    lines = [
        "## load — the real stack under a fixed arrival rate",
        "",
        f"`.venv/bin/python -m bench.load --rate {rate:g} --seconds {seconds:g}` — gunicorn (2 workers × 4 threads, "
        f"DEBUG off) on PostgreSQL with Redis (cache and sessions) and the task worker; {CLIENTS:,} clients, "
        f"{THERAPISTS} therapists, one of them with {BIG_PRACTICE} connected clients; {DAYS} days of check-ins "
        f"each (set-up {setup_s:.0f} s). Requests sent: {sent:,} in {wall:.1f} s "
        f"(offered {rate:g}/s, served {served / wall:.1f}/s), errors: {errors}.",
        "",
        "| endpoint | sent | errors | p50 ms | p95 ms | p99 ms | p99 ÷ trivial p99 | target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    ok = errors == 0 and served >= sent
    for name, _ in MIX:
        values = stats.latencies.get(name, [])
        p50, p95, p99 = _pct(values, 50), _pct(values, 95), _pct(values, 99)
        ratio = p99 / t99 if t99 == t99 and t99 > 0 else float("nan")
        target, verdict = "", ""
        if name in TARGETS:
            stat, limit = TARGETS[name]
            value = ratio if stat == "p99_ratio" else p95
            passed = value <= limit and not stats.errors.get(name)
            ok = ok and passed
            target = f"p99 ≤ {limit:g}× trivial" if stat == "p99_ratio" else f"p95 ≤ {limit:g} ms"
            verdict = "PASS" if passed else "FAIL"
        lines.append(
            f"| {name} | {stats.sent.get(name, 0)} | {stats.errors.get(name, 0)} | {p50:.1f} | {p95:.1f} | "
            f"{p99:.1f} | {ratio:.2f} | {target} | {verdict} |"
        )
    lines += ["", f"Overall: **{'PASS' if ok else 'FAIL'}** (0 errors and the offered rate served in full).", ""]
    text = "\n".join(lines)
    print(text)
    if write:
        from bench._common import write_section

        write_section("load", text)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.seed)
        return 0
    return run(args.rate, args.seconds, write=not args.no_write)


if __name__ == "__main__":
    raise SystemExit(main())
