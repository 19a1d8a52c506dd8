"""The built-in crisis resources: no misleading single number, every number tap-to-call,
an international directory, a warning when a deployment has not set its own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from individuate.core.crisis import crisis_resources, tel_href

DOCS = Path(__file__).resolve().parents[3] / "docs" / "crisis.md"


def test_no_single_primary_button_but_one_per_region(db: None) -> None:
    resources = crisis_resources()
    urgent = {r["how"]: r["name"] for r in resources["urgent"]}
    assert set(urgent) == {"911", "999", "112"}
    assert "US and Canada" in urgent["911"] and "UK" in urgent["999"] and "EU" in urgent["112"]
    body = Client().get("/crisis/").content.decode()
    main = body[body.index("<main") :]
    assert main.count('class="button call"') == 3
    for number in ("911", "999", "112"):
        assert f'<a class="button call" href="tel:{number}">Call {number}' in main
    # The old, wrong-for-North-America first button is gone.
    assert not re.search(r">Call 112</a>", main)


def test_988_is_for_the_us_and_canada_call_or_text() -> None:
    line = next(r for r in crisis_resources()["resources"] if r["how"] == "988")
    assert "US and Canada" in line["name"] and "call or text 988" in line["detail"]
    assert "Canada" in line["detail"]


def test_every_phone_number_on_the_crisis_page_is_a_tel_link(db: None) -> None:
    body = Client().get("/crisis/").content.decode()
    phones = [r for r in crisis_resources()["resources"] if re.fullmatch(r"[\d ]+", r["how"])]
    assert len(phones) == 5
    for resource in phones:
        assert f'href="tel:{resource["how"].replace(" ", "")}"' in body, resource["how"]


def test_an_international_helpline_directory_is_linked(db: None) -> None:
    directory = next(r for r in crisis_resources()["resources"] if r["url"])
    assert directory["url"] == "https://findahelpline.com/" and directory["tel"] == ""
    assert 'href="https://findahelpline.com/"' in Client().get("/crisis/").content.decode()


@pytest.mark.parametrize(
    ("how", "href"),
    [
        ("911", "tel:911"),
        ("116 123", "tel:116123"),
        ("+1 555-0100", "tel:+15550100"),
        ("(555) 0199", "tel:5550199"),
        ("Go in person", ""),
        ("Text HELLO to 555-0123", ""),
        ("12", ""),
    ],
)
def test_tel_href(how: str, href: str) -> None:
    assert tel_href(how) == href


def test_a_file_may_mark_urgent_entries_and_add_links(tmp_path: Path, db: None) -> None:
    data = {
        "region": "Northland (fictional)",
        "intro": "Call now.",
        "resources": [
            {"name": "Listening line", "how": "555-0199", "detail": "Any time."},
            {"name": "Emergency", "how": "555-0100", "detail": "Police.", "urgent": True},
            {"name": "Directory", "how": "example.org", "detail": "Lines.", "url": "https://example.org/"},
        ],
        "note": "Not an emergency service.",
    }
    path = tmp_path / "crisis.json"
    path.write_text(json.dumps(data))
    with override_settings(CRISIS_RESOURCES_FILE=str(path)):
        resources = crisis_resources()
        body = Client().get("/crisis/").content.decode()
    assert [r["name"] for r in resources["urgent"]] == ["Emergency"]
    assert '<a class="button call" href="tel:5550100">Call 555-0100' in body
    assert 'href="tel:5550199"' in body and 'href="https://example.org/"' in body
    bad = dict(data, resources=[dict(data["resources"][0], url="javascript:alert(1)")])
    bad_path = tmp_path / "bad.json"  # the parsed file is cached per path
    bad_path.write_text(json.dumps(bad))
    with override_settings(CRISIS_RESOURCES_FILE=str(bad_path)), pytest.raises(ImproperlyConfigured, match="url"):
        crisis_resources()


def test_production_without_a_crisis_file_warns_at_start_up(tmp_path: Path) -> None:
    with override_settings(DEBUG=False, CRISIS_RESOURCES_FILE=""):
        warned = [m for m in run_checks(include_deployment_checks=True) if m.id == "individuate.W001"]
        assert len(warned) == 1 and not warned[0].is_serious()
        assert "individuate.W001" not in [m.id for m in run_checks()]  # deploy checks only
    with override_settings(DEBUG=False, CRISIS_RESOURCES_FILE=str(tmp_path / "crisis.json")):
        assert "individuate.W001" not in [m.id for m in run_checks(include_deployment_checks=True)]
    with override_settings(DEBUG=True, CRISIS_RESOURCES_FILE=""):
        assert "individuate.W001" not in [m.id for m in run_checks(include_deployment_checks=True)]


def test_the_docs_example_uses_only_fictional_555_01xx_numbers() -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = json.loads(re.findall(r"```json\n(.*?)```", text, flags=re.S)[-1])
    numbers = re.findall(r"\d[\d ()\-]{2,}\d", json.dumps(example))
    assert numbers
    for number in numbers:
        assert re.fullmatch(r"555-01\d\d", number), number
