"""A deployment's own crisis resources, and a malformed file that fails loudly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from individuate.core.crisis import crisis_resources

REGION = {
    "region": "Northland (fictional)",
    "intro": "If you are in danger, call now.",
    "resources": [{"name": "Northland Helpline", "how": "0800 000 000", "detail": "Free, day and night."}],
    "note": "Not an emergency service; not medical advice.",
}


def test_deployment_file_replaces_the_default(tmp_path: Path, db: None) -> None:
    path = tmp_path / "crisis.json"
    path.write_text(json.dumps(REGION))
    with override_settings(CRISIS_RESOURCES_FILE=str(path)):
        assert crisis_resources()["region"] == "Northland (fictional)"
        body = Client().get("/crisis/").content.decode()
    assert "Northland Helpline" in body
    assert 'href="tel:0800000000"' in body


def test_malformed_file_names_the_file_and_field(tmp_path: Path) -> None:
    broken = dict(REGION, resources=[{"name": "No number"}])
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    with (
        override_settings(CRISIS_RESOURCES_FILE=str(path)),
        pytest.raises(ImproperlyConfigured) as exc,
    ):
        crisis_resources()
    assert "broken.json" in str(exc.value) and "how" in str(exc.value)
