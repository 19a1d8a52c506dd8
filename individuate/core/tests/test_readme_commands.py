"""Every command the README shows runs as written — outside `make run` too, with DEBUG off.

Each runs in a subprocess on a scratch SQLite database (SQLITE_PATH), with none of the
test settings. ``.venv/bin/…`` stands for a virtualenv whose interpreter and tools are the
ones running this suite (a small directory of wrappers), so the commands work the same
in a fresh clone after ``make install`` and here.

``make run`` itself is started (its install step is already satisfied) and stopped after
it serves the home page and the log-in page: that proves the Makefile's own steps —
migrate, seed_demo, schedule_nightly, the worker and the server — rather than a copy of
them. The server runs without its file watcher (``RUNSERVER_ARGS=--noreload``), which on
a busy machine can starve the server thread for minutes.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text()
TOOLS = ("python", "ruff", "mypy", "gunicorn", "pip")

# Commands in the README this test does not run, and why. Everything else must be run below.
NOT_RUN = {
    "make test": "is this test suite itself",
    ".ci/run": "is CI: it installs Chromium with apt-get, then runs make test twice",
    "make install": "installs packages from the network; make run below depends on it being done",
    "make typecheck": "mypy over the whole tree takes minutes; CI and the lead run it on its own",
    ".venv/bin/python -m bench.run_all": "the coupling-engine benchmark takes minutes; its results are in bench/RESULTS.md",
    ".venv/bin/python -m bench.multiprocess": "starts two app servers and two workers on PostgreSQL; .ci/run runs it",
    ".venv/bin/python -m bench.load": "a minute of load after minutes of set-up; its results are in bench/RESULTS.md",
    ".venv/bin/python -m bench.nightly": "seeds 5,000 clients on PostgreSQL and takes minutes; its results are in bench/RESULTS.md",
    "python manage.py rqworker default --with-scheduler": "needs TASKS_BACKEND=django_tasks_rq.RQBackend and Redis; "
    "the RQ backend is tested in core/tests/test_rq_backend.py",
}


def readme_commands() -> set[str]:
    spans = re.findall(r"`([^`\n]+)`", README)
    starts = ("make ", ".venv/bin/", "python ", "gunicorn ", ".ci/run")
    return {" ".join(s.split()) for s in spans if s.startswith(starts)}


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for `.venv`: wrappers around this interpreter and its tools."""
    home = tmp_path_factory.mktemp("venv")
    (home / "bin").mkdir()
    real_bin = Path(sys.executable).parent
    for tool in TOOLS:
        target = sys.executable if tool == "python" else str(real_bin / tool)
        wrapper = home / "bin" / tool
        wrapper.write_text(f'#!/bin/sh\nexec "{target}" "$@"\n')
        wrapper.chmod(0o755)
    (home / ".installed").touch()  # `make install` has run: make run starts at once
    return home


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, venv: Path) -> dict[str, str]:
    scratch = tmp_path_factory.mktemp("readme")
    clean = {
        k: v
        for k, v in os.environ.items()
        # (DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' own; a deployment never sets it,
        # and the serve-time checks rightly refuse it)
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "REDIS_URL",
            "DEBUG",
            "SECRET_KEY",
            "SECRET_KEY_FILE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not k.startswith(("TEST", "SITE_", "PYTEST"))
        and k != "PORT"
    }
    clean |= {
        "SQLITE_PATH": str(scratch / "readme.sqlite3"),
        "STATIC_ROOT": str(scratch / "static"),
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)),
    }
    run("python manage.py migrate", clean, venv)  # the README's migration command, first
    run("DEBUG=1 python manage.py seed_demo", clean, venv)  # what make run does before the commands below
    return clean


def _as_written(command: str, venv: Path) -> str:
    return command.replace(".venv/bin/", f"{venv}/bin/")


def run(command: str, env: dict[str, str], venv: Path, *, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S602 — the README's own shell commands
        _as_written(command, venv), shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert "individuate.E001" not in result.stderr, f"{command}: {result.stderr[-2000:]}"
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, seconds: int = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — our own local server
                return str(response.read().decode())
        except urllib.error.HTTPError as exc:  # it answered, with an error: say so at once
            raise AssertionError(f"{url} answered {exc.code}") from exc
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} never answered")


def _stop(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_every_readme_command_is_run_here_or_said_why_not() -> None:
    handled = set(NOT_RUN) | set(RUN_HERE)
    assert readme_commands() - handled == set(), "a README command this test does not know"
    assert handled - readme_commands() == set(), "the README no longer shows these"


RUN_HERE = {
    "make run",
    "make run PORT=8001",
    ".venv/bin/python manage.py demo_totp therapist@example.com",
    ".venv/bin/python manage.py score_measure phq9 --answers 1,2,0,1,2,1,0,1,0",
    ".venv/bin/python manage.py createsuperuser",
    "make lint",
    "gunicorn individuate.config.wsgi --workers 3 --bind 127.0.0.1:8001",
    "python manage.py collectstatic --noinput",
    "python manage.py migrate",
    "python manage.py db_worker --queue-name '*'",
    "python manage.py schedule_nightly",
}


def test_demo_totp_gives_the_demo_therapist_a_current_code(env: dict[str, str], venv: Path) -> None:
    result = run(".venv/bin/python manage.py demo_totp therapist@example.com", env, venv)
    assert result.returncode == 0, result.stderr
    found = re.match(r"(\d{6})\b", result.stdout.strip().splitlines()[-1])
    assert found, result.stdout
    valid = run(
        'python manage.py shell -c "from allauth.mfa.models import Authenticator; '
        "from allauth.mfa.totp.internal.auth import TOTP; "
        "a = Authenticator.objects.get(user__email='therapist@example.com', type='totp'); "
        f"print(TOTP(a).validate_code('{found.group(1)}'))\"",
        env,
        venv,
    )
    assert valid.stdout.strip().splitlines()[-1] == "True", valid.stderr  # the code logs the demo therapist in


def test_score_measure_prints_json_and_names_a_bad_item(env: dict[str, str], venv: Path) -> None:
    result = run(".venv/bin/python manage.py score_measure phq9 --answers 1,2,0,1,2,1,0,1,0", env, venv)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 8
    bad = run(".venv/bin/python manage.py score_measure phq9 --answers 1,2,0,1,9,1,0,1,0", env, venv)
    assert bad.returncode == 2 and "Item 5" in bad.stderr and not bad.stdout


def test_createsuperuser_asks_and_creates_an_operator(env: dict[str, str], venv: Path) -> None:
    """Interactive, as an operator types it (a pseudo-terminal answers the prompts)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(  # noqa: S602
        _as_written(".venv/bin/python manage.py createsuperuser", venv),
        shell=True,
        cwd=ROOT,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
        start_new_session=True,
    )
    os.close(follower)
    prompts = [("E-mail address:", "operator@example.com")] + [
        (prompt, "a-long-operator-passphrase-42") for prompt in ("Password:", "Password (again):")
    ]
    seen, answered = "", 0
    deadline = time.monotonic() + 300
    try:
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1)
            if not ready:
                continue
            try:
                seen += os.read(leader, 1024).decode(errors="replace")
            except OSError:
                break
            if answered < len(prompts) and prompts[answered][0] in seen:
                os.write(leader, (prompts[answered][1] + "\n").encode())
                answered += 1
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        os.close(leader)
    assert process.returncode == 0, seen
    assert "Superuser created successfully" in seen
    check = run(
        'python manage.py shell -c "from individuate.accounts.models import User; '
        "print(User.objects.get(email='operator@example.com').is_superuser)\"",
        env,
        venv,
    )
    assert check.stdout.strip().splitlines()[-1] == "True", check.stderr


def test_operations_commands_run_with_debug_off(env: dict[str, str], venv: Path) -> None:
    for command in (
        "python manage.py migrate",
        "python manage.py collectstatic --noinput",
        "python manage.py schedule_nightly",
    ):
        result = run(command, env, venv)
        assert result.returncode == 0, f"{command}: {result.stderr[-2000:]}"
    assert (Path(env["STATIC_ROOT"]) / "individuate" / "app.css").exists()


def test_the_worker_starts_and_keeps_running(env: dict[str, str], venv: Path) -> None:
    log = (ROOT / "var" / "readme-worker.log").open("w+")
    process = subprocess.Popen(  # noqa: S602
        "python manage.py db_worker --queue-name '*'",
        shell=True,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    time.sleep(8)
    running = process.poll() is None
    _stop(process)
    log.seek(0)
    out = log.read()
    log.close()
    assert running, out
    assert "E001" not in out and "Traceback" not in out, out


def test_gunicorn_refuses_the_development_key_and_serves_with_a_real_one(env: dict[str, str], venv: Path) -> None:
    port = _free_port()  # the README's 8001 may be taken on a shared machine; the rest is as written
    assert run("python manage.py collectstatic --noinput", env, venv).returncode == 0  # a release's first step
    command = f"gunicorn individuate.config.wsgi --workers 3 --bind 127.0.0.1:{port}"
    refused = subprocess.run(  # noqa: S602
        command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    # The development key with DEBUG off: the app refuses and gunicorn stops ("App failed to load").
    # Its exit status is 4, or 1 when two of the three workers fail at once and the second
    # HaltServer is raised while the arbiter is already halting (seen on a loaded machine).
    assert refused.returncode in (1, 4), refused.stderr[-2000:]
    assert "individuate.E001" in refused.stderr and "App failed to load" in refused.stderr
    log = (ROOT / "var" / f"readme-gunicorn-{port}.log").open("w+")
    process = subprocess.Popen(  # noqa: S602
        command,
        shell=True,
        cwd=ROOT,
        env=env | {"SECRET_KEY": "readme-test-" + "x" * 50},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/", seconds=600)
        assert "Individuate" in page
    finally:
        _stop(process)
        log.close()


def test_make_lint_passes(env: dict[str, str], venv: Path) -> None:
    result = run(f"make lint VENV={venv}", env, venv)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_make_run_serves_pages_and_links_follow_its_port(env: dict[str, str], venv: Path) -> None:
    port = _free_port()
    log = (ROOT / "var" / f"readme-make-run-{port}.log").open("w+")
    process = subprocess.Popen(  # noqa: S602
        f"make run VENV={venv} PORT={port} RUNSERVER_ARGS=--noreload",
        shell=True,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        home = _wait_for(f"http://127.0.0.1:{port}/", seconds=600)
        assert "Close to your family" in home
        assert "Log in" in _wait_for(f"http://127.0.0.1:{port}/accounts/login/")
    finally:
        _stop(process)
        log.seek(0)
        out = log.read()
        log.close()
    assert f"Serving on http://127.0.0.1:{port}/" in out, out[-3000:]
    assert "robin@example.com" in out  # the demo logins are printed
    # E-mail links in development point at the port make run serves on.
    site_root = run(
        f'DEBUG=1 PORT={port} python manage.py shell -c "from django.conf import settings; print(settings.SITE_ROOT)"',
        env,
        venv,
    )
    assert site_root.stdout.strip().splitlines()[-1] == f"http://127.0.0.1:{port}"


def test_demo_totp_before_make_run_sets_up_the_demo_and_gives_a_code(
    env: dict[str, str], venv: Path, tmp_path: Path
) -> None:
    fresh = env | {"SQLITE_PATH": str(tmp_path / "not-yet.sqlite3")}
    result = run(".venv/bin/python manage.py demo_totp therapist@example.com", fresh, venv)
    assert result.returncode == 0, result.stderr
    assert "creating the database and the demo accounts" in result.stderr
    assert re.fullmatch(r"\d{6}  \(valid for about \d+ more seconds\)", result.stdout.strip().splitlines()[-1])
    assert (tmp_path / "not-yet.sqlite3").exists()
