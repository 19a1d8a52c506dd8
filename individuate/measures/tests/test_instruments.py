"""Instrument files: every shipped file loads; malformed files fail loudly, naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from individuate.measures.instruments import (
    BUILTIN_DIR,
    InstrumentError,
    load_all,
    parse_instrument,
)

MINIMAL = """
id: tiny
title: Tiny
version: "1"
kind: licensed
summary: s
instructions: i
screening_note: screening, not diagnosis
attribution: a
licence: l
response_sets:
  yn: [{value: 0, label: "No"}, {value: 1, label: "Yes"}]
items:
  - {id: t1, text: "one", responses: yn}
  - {id: t2, text: "two", responses: yn, reverse: true}
scoring: {total: sum}
bands:
  - {min: 0, max: 1, label: low}
  - {min: 2, max: 2, label: high}
"""


def parse(text: str, name: str = "tiny.yaml"):  # type: ignore[no-untyped-def]
    return parse_instrument(Path(name), text)


def test_shipped_instruments_load() -> None:
    instruments = load_all()
    assert set(instruments) == {"phq9", "gad7", "enmeshment-child", "enmeshment-parent"}
    assert len(instruments["phq9"].items) == 10 and len(instruments["phq9"].scored_items) == 9
    assert len(instruments["gad7"].scored_items) == 7
    assert len(instruments["enmeshment-child"].items) == 28
    assert len(instruments["enmeshment-parent"].items) == 21
    assert {s.id for s in instruments["enmeshment-child"].subscales} == {
        "emotional_fusion",
        "guilt_compliance",
        "boundary_intrusion",
        "identity",
        "resentment",
        "self_worth",
    }
    assert {s.id for s in instruments["enmeshment-parent"].subscales} == {
        "over_involvement",
        "emotional_reliance",
        "separateness",
        "readiness",
    }


def test_public_domain_attribution_and_screening_notes() -> None:
    instruments = load_all()
    for ident in ("phq9", "gad7"):
        assert "Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues" in " ".join(
            instruments[ident].attribution.split()
        )
    for instrument in instruments.values():
        assert "not" in instrument.screening_note and "diagnos" in instrument.screening_note


def test_phq9_reproduced_exactly() -> None:
    phq9 = load_all()["phq9"]
    assert (
        phq9.instructions == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert phq9.item("phq9_9").text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert [o.label for o in phq9.item("phq9_1").options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert not phq9.item("phq9_difficulty").scored


def test_minimal_file_parses_and_reverse_keys() -> None:
    tiny = parse(MINIMAL)
    assert tiny.item("t2").keyed(1) == 0 and tiny.item("t2").keyed(0) == 1
    assert tiny.total_range() == (0.0, 2.0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace("id: tiny", "id: other"), "id"),
        (lambda t: t.replace("kind: licensed", "kind: stolen"), "kind"),
        (
            lambda t: t.replace("responses: yn, reverse", "responses: nope, reverse"),
            "items[1].responses",
        ),
        (lambda t: t.replace("  - {min: 2, max: 2, label: high}\n", ""), "bands"),
        (lambda t: t.replace("{min: 2, max: 2", "{min: 3, max: 3"), "bands"),
        (lambda t: t.replace("title: Tiny\n", ""), "title"),
        (lambda t: t.replace('"one", responses', '"one", revers: true, responses'), "items[0]"),
        (lambda t: t.replace("scoring: {total: sum}", "scoring: {total: median}"), "scoring.total"),
        (
            lambda t: t + "flags:\n  - {id: f, item: t9, min_value: 1, message: m}\n",
            "flags[0].item",
        ),
        (
            lambda t: t.replace('{id: t1, text: "one"', '{id: t1, required: false, text: "one"'),
            "items[0].required",
        ),
        (lambda t: t.replace("value: 1, label", "value: 0, label"), "response_sets.yn"),
        (lambda t: "id: [unclosed", ""),
    ],
)
def test_malformed_file_names_file_and_field(change, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InstrumentError) as exc:
        parse(change(MINIMAL))
    assert str(exc.value).startswith("tiny.yaml")
    assert expected in str(exc.value)


def test_extra_directory_adds_an_instrument_and_refuses_duplicates(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(MINIMAL)
    assert "tiny" in load_all((tmp_path,))
    (tmp_path / "phq9.yaml").write_text((BUILTIN_DIR / "phq9.yaml").read_text())
    with pytest.raises(InstrumentError, match="phq9.yaml: id: 'phq9' is already defined"):
        load_all((tmp_path,))


def test_broken_extra_file_stops_start_up(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    from individuate.measures.registry import clear_cache

    (tmp_path / "tiny.yaml").write_text(MINIMAL.replace("title: Tiny\n", ""))
    settings.MEASURES_EXTRA_DIR = str(tmp_path)
    clear_cache()
    try:
        with pytest.raises(ImproperlyConfigured, match="tiny.yaml: title"):
            apps.get_app_config("measures").ready()
    finally:
        settings.MEASURES_EXTRA_DIR = ""
        clear_cache()
