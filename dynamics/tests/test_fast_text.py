"""The CLI's fast writer (straight from the fitted arrays to JSON text, through the
templates of dynamics.coupling.wording) against the exact one (records → pair_text):
the same bytes, whatever the labels, signs, ranges, chance levels and missing numbers."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from dynamics.coupling import iter_pair_records, pairs
from dynamics.coupling.results import COMPACT, PRETTY, RecordStream, Style, pair_text, record_texts

AWKWARD = [
    ('Zoë "the kid"', "back\\slash"),
    ("you", "James"),
    ("Me", "Chris"),
    ("100%", "%s and %d"),
    ("mum", "I"),
    ("😀 emoji", "tab\there"),
    ("Ms", "boss"),
    ("same", "same"),  # equal labels: one key in n_observations, the exact way
    ("a\u2014b", "line\nbreak"),
    ("kid", "mum"),
]


def _batch(p: int, seed: int) -> Any:
    """P pairs × 40 days from VAR(1)s with coefficients of both signs; some pairs too
    short or constant (no numbers), some near zero (ranges including 0)."""
    rng = np.random.default_rng(seed)
    t_len = 40
    y = np.zeros((p, t_len + 20, 2))
    a = rng.uniform(-0.6, 0.6, size=(p, 2, 2))
    a[::3] *= 0.05  # ranges including 0
    for t in range(1, t_len + 20):
        y[:, t] = np.einsum("pij,pj->pi", a, y[:, t - 1]) + rng.standard_normal((p, 2))
    y = np.round(y[:, 20:] + 5, 2)
    y[rng.random(y.shape) < 0.1] = np.nan
    y[1, 5:] = np.nan  # too few lag pairs: no numbers at all
    y[2, :, 1] = 4.0  # a constant series: no numbers for its effects
    y[3, :, 0] = y[3, :, 1]  # the same series twice
    return y


def _pair_id(k: int) -> str:
    return f'p"{k}\\ü' if k % 2 else f"p{k}"


def _stream(p: int, seed: int, **kw: Any) -> RecordStream:
    y = _batch(p, seed)
    persons = [AWKWARD[k % len(AWKWARD)] for k in range(p)]
    pair_ids = [_pair_id(k) for k in range(p)]
    return iter_pair_records(y, persons=persons, pair_ids=pair_ids, chunk=7, **kw)


@pytest.mark.parametrize(
    "kw",
    [
        {},  # chance level from pseudo-pairs: exceeds_chance true and false
        {"chance": False},  # exceeds_chance null
        {"method": "ols"},
        {"labels": [(f"{a}s", b.upper()) for a, b in AWKWARD] * 8},  # the words differ from the persons
    ],
)
@pytest.mark.parametrize(("depth", "st"), [(2, PRETTY), (0, COMPACT), (1, PRETTY)])
def test_fast_text_is_the_exact_text(
    kw: dict[str, Any], depth: int, st: Style, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = _stream(80, seed=3, **kw)
    exact_way = []

    def counted(*args: Any) -> str:
        exact_way.append(args[0].pair_id)
        return pair_text(*args)

    monkeypatch.setattr(pairs, "pair_text", counted)
    seen: dict[str, set[Any]] = {"exceeds": set(), "negative": set(), "zero": set(), "missing": set()}
    for lo, hi in stream.bounds():
        fast = stream.texts(lo, hi, depth, st)
        exact = record_texts(stream.records(lo, hi), depth, st)  # (results' own pair_text)
        assert fast == exact
        for rec in stream.records(lo, hi):
            for e in rec.effects:
                seen["missing"].add(e[3] is None)
                if e[3] is not None:
                    seen["negative"].add(e[3] < 0)
                    seen["zero"].add(e[5][0] <= 0 <= e[5][1])
                    if e[0] == "cross_lagged":
                        seen["exceeds"].add(e[6])
    # all at once too (enough floats for pyarrow's formatting of reprs)
    assert stream.texts(0, 80, depth, st) == record_texts(stream, depth, st)
    # the batch does exercise every variant
    assert seen["negative"] == seen["zero"] == seen["missing"] == {True, False}
    assert seen["exceeds"] == ({None} if kw.get("chance") is False else {True, False})
    # most rows went the fast way; those without every number, or with equal labels, not
    assert {_pair_id(1), _pair_id(2), _pair_id(3), _pair_id(7)} <= set(exact_way)
    assert len(exact_way) < 25


def test_fast_text_is_valid_json_of_the_result() -> None:
    stream = _stream(30, seed=5)
    texts, fitted = stream.texts(0, 30, 0, COMPACT)
    assert fitted
    for text, rec in zip(texts, stream.records(0, 30), strict=True):
        doc = json.loads(text)
        assert doc["pair_id"] == rec.pair_id and doc["persons"] == list(rec.persons)
        assert [e["interpretation"] for e in doc["effects"]] == [e[7] for e in rec.effects]


def test_nothing_fitted_is_reported() -> None:
    y = np.full((3, 10, 2), np.nan)
    stream = iter_pair_records(y, persons=[("a", "b")] * 3, pair_ids=["x", "y", "z"])
    texts, fitted = stream.texts(0, 3, 0, COMPACT)
    assert not fitted and texts == record_texts(stream.records(0, 3), 0, COMPACT)[0]


def test_reprs_are_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    x = np.concatenate(
        [
            rng.normal(size=3000),
            rng.normal(size=1000) * 10.0 ** rng.integers(-8, 20, size=1000),
            np.round(rng.normal(size=500), 2),
            [0.0, -0.0, 1.0, -3.0, 1e-3, 9.999e-4, 1e7, 1e7 - 0.5, 1e16, 1e-5, 2.675, 5e-324, 1.7976931348623157e308],
            [np.nan, np.inf, -np.inf],
        ]
    )
    expected = [repr(v) for v in x.tolist()]
    assert pairs._arrow_writes_repr()
    assert pairs.reprs(x).tolist() == expected
    assert pairs.reprs(x[:10]).tolist() == expected[:10]  # small: repr alone
    monkeypatch.setattr(pairs, "_arrow_writes_repr", lambda: False)
    assert pairs.reprs(x).tolist() == expected


def test_the_whole_batch_test_uses_pyarrow_for_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = []
    real = pairs.reprs

    def spy(x: Any) -> Any:
        sizes.append(x.size)
        return real(x)

    monkeypatch.setattr(pairs, "reprs", spy)
    _stream(80, seed=3).texts(0, 80, 0, COMPACT)
    assert sizes[0] >= pairs._ARROW_MIN
