"""compose.yaml (for operators) describes the documented deployment; it is parsed here,
not run (no container runtime in CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).resolve().parents[3] / "compose.yaml"


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_has_app_worker_database_cache_and_proxy() -> None:
    services = _compose()["services"]
    assert {"app", "worker", "db", "redis", "proxy", "migrate"} <= set(services)
    assert "gunicorn individuate.config.wsgi" in services["app"]["command"]
    assert "db_worker" in services["worker"]["command"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_app_and_worker_share_one_configuration_for_production() -> None:
    services = _compose()["services"]
    for name in ("app", "worker", "migrate"):
        env = services[name]["environment"]
        assert env["DEBUG"] == "0"
        assert env["SECURE_SSL"] == "1"
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:")  # lock-outs and sessions shared across app servers
        assert "?" in env["SECRET_KEY"]  # required from .env, never a default in the file


def test_every_setting_in_compose_is_a_documented_setting() -> None:
    readme = (COMPOSE.parent / "README.md").read_text()
    env = _compose()["services"]["app"]["environment"]
    undocumented = [name for name in env if f"`{name}`" not in readme]
    assert undocumented == []


def test_the_image_compose_builds_exists_and_installs_the_project() -> None:
    dockerfile = (COMPOSE.parent / "Dockerfile").read_text()
    assert _compose()["x-app"]["build"] == "."
    assert "pip install" in dockerfile and "individuate.config.wsgi" in dockerfile
