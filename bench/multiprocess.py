"""Many machines, existing pieces: two gunicorn app servers on different ports, two task
workers, one PostgreSQL and one Redis — started for real, on this machine.

    .venv/bin/python -m bench.multiprocess

Checks, and exits non-zero when one fails (``.ci/run`` runs it on PostgreSQL):

1. a session made on server 1 works on server 2 (sessions in Redis, written through);
2. a lock-out made on server 1 (5 wrong passwords) holds on server 2 (rate limits in Redis);
3. the nightly recompute's chunks run exactly once each, taken by both workers.

It creates and drops its own database ``individuate_multi`` and uses Redis database 6.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.load import _free_port, _wait_for

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DB_NAME = "individuate_multi"
PG = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = "redis://127.0.0.1:6379/6"
PASSWORD = "a-long-multi-password-1"
PEOPLE, CHUNK = 24, 2  # twelve chunks of two tracked people
# Both servers stand behind one address (a proxy or load balancer): every request carries
# the public host, as it would arrive from the proxy. allauth keys its lock-out per site.
PUBLIC = {"Host": "127.0.0.1:8000"}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"{PG}/{DB_NAME}",
        REDIS_URL=REDIS,
        DEBUG="0",
        SECRET_KEY="multi-bench-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        COUPLING_CHUNK_IDS=str(CHUNK),
        PYTHONPATH=str(ROOT),
    )
    return env


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True, capture_output=True)


SEED = f"""
from datetime import timedelta
import random
from django.utils import timezone
from allauth.account.models import EmailAddress
from individuate.accounts.models import User
from individuate.boundaries.models import TrackedPerson
from individuate.checkins.models import CheckIn, PerceivedMood
rng = random.Random(3)
today = timezone.now().date()
for k in range({PEOPLE}):
    u = User.objects.create_user(f"multi{{k}}@example.com", "{PASSWORD}", display_name=f"Multi {{k}}")
    EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)
    o = TrackedPerson.objects.create(owner=u, name="my parent", role="parent")
    cs = CheckIn.objects.bulk_create(CheckIn(owner=u, at=timezone.now() - timedelta(days=d),
        local_date=today - timedelta(days=d), mood=rng.randint(0, 10), guilt=2, anger=2, anxiety=2)
        for d in range(1, 91))
    PerceivedMood.objects.bulk_create(PerceivedMood(checkin=c, other=o, value=rng.randint(0, 10)) for c in cs)
"""

REPORT = """
import json
from django_tasks_db.models import DBTaskResult
rows = DBTaskResult.objects.filter(task_path__endswith="recompute_coupling_chunk")
print(json.dumps([[r.args_kwargs["args"], r.status, r.worker_ids] for r in rows]))
"""


def _login(client: httpx.Client, base: str, email: str, password: str) -> httpx.Response:
    page = client.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    return client.post(
        f"{base}/accounts/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": "http://127.0.0.1:8000/accounts/login/"},
    )


def main() -> int:
    env = _env()
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=False, capture_output=True)
    manage = [PY, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "shell", "-c", SEED], cwd=ROOT, env=env, check=True)
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen([PY, "-m", "gunicorn", "individuate.config.wsgi", "--bind", f"127.0.0.1:{port}",
                          "--workers", "1", "--log-level", "warning"], cwd=ROOT, env=env)
        for port in ports
    ] + [
        subprocess.Popen([*manage, "db_worker", "--queue-name", "*", "--no-reload", "--verbosity", "0",
                          "--interval", "0.2", "--worker-id", f"worker-{n}"], cwd=ROOT, env=env)
        for n in (1, 2)
    ]  # fmt: skip
    results: list[tuple[str, bool, str]] = []
    try:
        one, two = (f"http://127.0.0.1:{p}" for p in ports)
        for base in (one, two):
            _wait_for(f"{base}/crisis/")
        # 1. a session from server 1 on server 2
        with httpx.Client(follow_redirects=False, headers=PUBLIC) as browser:
            logged_in = _login(browser, one, "multi0@example.com", PASSWORD)
            on_two = browser.get(f"{two}/dashboard/")
            shared = logged_in.status_code == 302 and on_two.status_code == 200
            detail = f"login {logged_in.status_code}, dashboard on 2: {on_two.status_code}"
            results.append(("session made on server 1 works on server 2", shared, detail))
        # 2. a lock-out made on server 1 holds on server 2
        with httpx.Client(follow_redirects=False, headers=PUBLIC) as attacker:
            for _ in range(5):
                _login(attacker, one, "multi1@example.com", "wrong-password")
        with httpx.Client(follow_redirects=False, headers=PUBLIC) as owner:
            locked = _login(owner, two, "multi1@example.com", PASSWORD)
            results.append(
                ("lock-out on server 1 holds on server 2", locked.status_code != 302,
                 f"right password on server 2 after 5 failures on server 1: {locked.status_code}")
            )  # fmt: skip
        # 3. the nightly chunks, once each, across both workers
        nightly = "from individuate.checkins.tasks import recompute_coupling; recompute_coupling.enqueue()"
        subprocess.run([*manage, "shell", "-c", nightly], cwd=ROOT, env=env, check=True)
        expected = -(-PEOPLE // CHUNK)
        deadline, rows = time.time() + 120, []
        while time.time() < deadline:
            out = subprocess.run([*manage, "shell", "-c", REPORT], cwd=ROOT, env=env, check=True, capture_output=True)
            rows = json.loads(out.stdout.decode().strip().splitlines()[-1])
            if len(rows) >= expected and all(status == "SUCCESSFUL" for _, status, _ in rows):
                break
            time.sleep(1)
        ranges = Counter(tuple(args) for args, _, _ in rows)
        workers = Counter(ids[-1] for _, _, ids in rows if ids)
        results.append(
            ("every nightly chunk ran exactly once", len(ranges) == expected and set(ranges.values()) == {1}
             and all(status == "SUCCESSFUL" for _, status, _ in rows),
             f"{len(rows)} chunk runs for {expected} chunks")
        )  # fmt: skip
        results.append(("both workers took chunks", len(workers) == 2, f"chunks per worker: {dict(workers)}"))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    for name, ok, detail in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name} — {detail}")
    print(f"{sum(ok for _, ok, _ in results)} passed, {sum(not ok for _, ok, _ in results)} failed")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
