"""Scoring: every band boundary of every instrument, every reverse-keyed item, flags, errors."""

from __future__ import annotations

import itertools
import math

import pytest

from individuate.measures.instruments import Instrument
from individuate.measures.registry import instruments
from individuate.measures.scoring import ScoringError, score

PHQ9_BANDS = [
    (0, 4, "none–minimal"),  # the published label: 0–4 is none to minimal
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately severe"),
    (20, 27, "severe"),
]
GAD7_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]


def answers_with_total(instrument: Instrument, total: int) -> dict[str, int]:
    """Fill 0–3 items left to right so they add up to ``total``."""
    answers: dict[str, int] = {}
    left = total
    for item in instrument.scored_items:
        value = min(left, max(item.values))
        answers[item.id] = value
        left -= value
    assert left == 0
    return answers


@pytest.mark.parametrize(("instrument_id", "bands"), [("phq9", PHQ9_BANDS), ("gad7", GAD7_BANDS)])
def test_every_band_boundary_of_phq9_and_gad7(instrument_id: str, bands: list[tuple[int, int, str]]) -> None:
    instrument = instruments()[instrument_id]
    for low, high, label in bands:
        for total in (low, high):
            result = score(instrument, answers_with_total(instrument, total))
            assert (result.total, result.band) == (total, label), (instrument_id, total)
    top = bands[-1][1]
    assert instrument.total_range() == (0, top)


def _uniform(instrument: Instrument, keyed_value: int) -> dict[str, int]:
    """Answers that count as ``keyed_value`` on every scored item, reverse keying undone."""
    return {
        i.id: (min(i.values) + max(i.values) - keyed_value if i.reverse else keyed_value)
        for i in instrument.scored_items
    }


def _answers_with_keyed_sum(instrument: Instrument, keyed_sum: int) -> dict[str, int]:
    """Answers whose total items (after reverse keying) add up to ``keyed_sum``."""
    scored = list(instrument.total_items())
    answers = _uniform(instrument, 3)
    extra = keyed_sum - len(scored)
    for item in scored:
        keyed = 1 + min(4, extra)
        extra -= keyed - 1
        answers[item.id] = min(item.values) + max(item.values) - keyed if item.reverse else keyed
    assert extra == 0
    return answers


@pytest.mark.parametrize("instrument_id", ["enmeshment-child", "enmeshment-parent"])
def test_every_band_boundary_of_our_screeners(instrument_id: str) -> None:
    """At each edge between bands: the highest reachable mean below it falls in the lower
    band, the lowest reachable mean at or above it in the higher one; and both ends."""
    instrument = instruments()[instrument_id]
    n = len(instrument.total_items())
    bands = list(instrument.bands)
    for lower, higher in zip(bands, bands[1:], strict=False):
        below = math.ceil(higher.min * n) - 1  # largest keyed sum with mean < edge
        at = math.ceil(higher.min * n - 1e-9)  # smallest keyed sum with mean >= edge
        assert score(instrument, _answers_with_keyed_sum(instrument, below)).band == lower.label
        assert score(instrument, _answers_with_keyed_sum(instrument, at)).band == higher.label
    assert score(instrument, _answers_with_keyed_sum(instrument, n)).band == bands[0].label
    assert score(instrument, _answers_with_keyed_sum(instrument, 5 * n)).band == bands[-1].label
    assert score(instrument, _answers_with_keyed_sum(instrument, 5 * n)).total == pytest.approx(5.0)


@pytest.mark.parametrize("instrument_id", ["enmeshment-child", "enmeshment-parent"])
def test_subscale_means_and_readiness_not_in_total(instrument_id: str) -> None:
    instrument = instruments()[instrument_id]
    result = score(instrument, _uniform(instrument, 4))
    assert result.total == pytest.approx(4.0)
    assert all(v == pytest.approx(4.0) for v in result.subscales.values())
    if instrument_id == "enmeshment-parent":
        answers = _uniform(instrument, 2)
        for item in instrument.scored_items:
            if item.subscale == "readiness":
                answers[item.id] = 5 if not item.reverse else 1
        result = score(instrument, answers)
        assert result.subscales["readiness"] == pytest.approx(5.0)
        assert result.total == pytest.approx(2.0), "readiness must not move the total"


REVERSED = [
    (ident, item.id)
    for ident in ("enmeshment-child", "enmeshment-parent")
    for item in instruments()[ident].scored_items
    if item.reverse
]


def test_screeners_have_reverse_keyed_items() -> None:
    assert len([r for r in REVERSED if r[0] == "enmeshment-child"]) >= 4
    assert len([r for r in REVERSED if r[0] == "enmeshment-parent"]) >= 3


@pytest.mark.parametrize(("instrument_id", "item_id"), REVERSED)
def test_every_reverse_keyed_item_flips(instrument_id: str, item_id: str) -> None:
    instrument = instruments()[instrument_id]
    item = instrument.item(item_id)
    base = _uniform(instrument, 3)  # every item counts 3
    for raw, counts in ((1, 5), (5, 1), (2, 4)):
        answers = dict(base, **{item_id: raw})
        result = score(instrument, answers)
        members = [i for i in instrument.scored_items if i.subscale == item.subscale]
        expected = (3 * (len(members) - 1) + counts) / len(members)
        assert item.subscale is not None
        assert result.subscales[item.subscale] == pytest.approx(expected), (item_id, raw)


def test_phq9_item_9_flag() -> None:
    phq9 = instruments()["phq9"]
    answers = {f"phq9_{n}": 0 for n in range(1, 10)}
    assert score(phq9, answers).flags == []
    for value in (1, 2, 3):
        assert score(phq9, dict(answers, phq9_9=value)).flags == ["self_harm"]


def test_difficulty_question_is_optional_and_unscored() -> None:
    phq9 = instruments()["phq9"]
    answers = {f"phq9_{n}": 1 for n in range(1, 10)}
    assert score(phq9, answers).total == 9
    assert score(phq9, dict(answers, phq9_difficulty=3)).total == 9


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({f"phq9_{n}": 1 for n in range(1, 9)}, "Item 9 is not answered"),
        (
            {**{f"phq9_{n}": 1 for n in range(1, 10)}, "phq9_4": 4},
            "Item 4: 4 is not one of 0, 1, 2, 3",
        ),
        ({**{f"phq9_{n}": 1 for n in range(1, 10)}, "phq9_2": "often"}, "Item 2 needs a number"),
        ({**{f"phq9_{n}": 1 for n in range(1, 10)}, "phq9_99": 1}, "no item 'phq9_99'"),
        ({**{f"phq9_{n}": 1 for n in range(1, 10)}, "phq9_3": True}, "Item 3"),
    ],
)
def test_bad_answers_name_the_item(answers: dict[str, object], message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        score(instruments()["phq9"], answers)


def test_all_answer_combinations_of_gad7_first_two_items_sum() -> None:
    gad7 = instruments()["gad7"]
    for a, b in itertools.product(range(4), repeat=2):
        answers = {i.id: 0 for i in gad7.scored_items} | {"gad7_1": a, "gad7_2": b}
        assert score(gad7, answers).total == a + b
