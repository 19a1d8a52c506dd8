"""Rolling windows and the first-vs-last-window ``change`` test.

With ``window`` (days) and ``step`` (default = window) the same effects are fitted on
each window ``[start + k·step, start + k·step + window − 1]``; a row only gets the
windows that overlap the days it was observed. ``change`` compares, per effect, the
first and last window in which it could be estimated: ``z = (last − first) /
√(se₁² + se₂²)``, two-sided normal ``p`` (see ``dynamics/README.md``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from .results import ChangeJSON, EffectRow, WindowRow
from .var1 import FloatArray

__all__ = ["WindowPlan", "change", "observed_span", "window_starts"]

IntArray = NDArray[np.int64]
_SQRT1_2 = math.sqrt(0.5)
B = TypeVar("B")


def window_starts(t_len: int, window: int | None, step: int | None) -> list[int]:
    """Day index of every window's first day (empty without a window)."""
    if window is None:
        if step is not None:
            raise ValueError("step needs window")
        return []
    if window < 3:
        raise ValueError(f"window must be at least 3 days; got {window}")
    step = window if step is None else step
    if step < 1:
        raise ValueError(f"step must be at least 1 day; got {step}")
    return list(range(0, t_len - window + 1, step))


def observed_span(y: FloatArray) -> tuple[IntArray, IntArray]:
    """First and last day index with any observation, per row of (P, T, 2) (−1 when none)."""
    any_obs = np.asarray(np.isfinite(y).any(axis=2), dtype=bool)
    has = any_obs.any(axis=1)
    first = np.where(has, any_obs.argmax(axis=1), -1)
    last = np.where(has, any_obs.shape[1] - 1 - any_obs[:, ::-1].argmax(axis=1), -1)
    return first.astype(np.int64), last.astype(np.int64)


@dataclass(frozen=True)
class WindowPlan:
    """The windows of one batch: where they start and which rows each one covers."""

    start: date | None  # the date of day 0
    window: int | None
    starts: list[int]
    first: IntArray  # (P,) first observed day per row, −1 when none
    last: IntArray

    @classmethod
    def make(cls, y: FloatArray, start: date | None, window: int | None, step: int | None) -> WindowPlan:
        starts = window_starts(y.shape[1], window, step)
        if window is not None and start is None:
            raise ValueError("start (the date of day 0) is needed for window dates")
        first, last = observed_span(y) if window is not None else (np.zeros(0, np.int64), np.zeros(0, np.int64))
        return cls(start, window, starts, first, last)

    def rows(
        self,
        k: int,
        blocks: Sequence[B],
        effects_of: Callable[[B, int], list[EffectRow]],
        offset: int = 0,
    ) -> list[WindowRow]:
        """Row ``offset + k``'s windows; ``blocks[w]`` holds window ``w``'s fit and
        ``effects_of(block, k)`` gives the row's effects in it."""
        assert self.window is not None and self.start is not None
        first, last = int(self.first[offset + k]), int(self.last[offset + k])
        out: list[WindowRow] = []
        for s0, block in zip(self.starts, blocks, strict=True):
            if first < 0 or s0 > last or s0 + self.window - 1 < first:
                continue
            out.append(
                (
                    self.start + timedelta(days=s0),
                    self.start + timedelta(days=s0 + self.window - 1),
                    effects_of(block, k),
                )
            )
        return out

    def of_row(
        self,
        k: int,
        blocks: Sequence[B],
        effects_of: Callable[[B, int], list[EffectRow]],
        kinds: Sequence[str],
        offset: int = 0,
    ) -> tuple[list[WindowRow] | None, dict[str, list[ChangeJSON]] | None]:
        """Row ``offset + k``'s windows and their ``change`` test of ``kinds``; (None,
        None) when the batch was fitted without a window."""
        if self.window is None or self.start is None:
            return None, None
        windows = self.rows(k, blocks, effects_of, offset)
        return windows, change(windows, kinds)


def _change_of(windows: Sequence[WindowRow], kind: str) -> list[ChangeJSON]:
    """First-vs-last-window comparison for each effect of ``kind`` (by from/to)."""
    found: dict[tuple[str, str], list[EffectRow]] = {}
    for _, _, effects in windows:
        for e in effects:
            if e[0] == kind:
                hits = found.setdefault((e[1], e[2]), [])
                if e[3] is not None:
                    hits.append(e)
    out: list[ChangeJSON] = []
    for (src, tgt), hits in found.items():
        entry: ChangeJSON = {
            "from": src, "to": tgt, "first": None, "last": None,
            "difference": None, "se": None, "z": None, "p": None,
        }  # fmt: skip
        if len(hits) >= 2:
            first, last = hits[0], hits[-1]
            assert first[3] is not None and last[3] is not None
            assert first[4] is not None and last[4] is not None
            diff = last[3] - first[3]
            s = math.sqrt(first[4] ** 2 + last[4] ** 2)
            z = diff / s
            entry["first"], entry["last"], entry["difference"] = first[3], last[3], diff
            entry["se"], entry["z"], entry["p"] = s, z, math.erfc(abs(z) * _SQRT1_2)
        out.append(entry)
    return out


def change(windows: Sequence[WindowRow], kinds: Sequence[str]) -> dict[str, list[ChangeJSON]]:
    return {kind: _change_of(windows, kind) for kind in kinds}
