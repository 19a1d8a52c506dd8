"""Reading check-in CSV files into the arrays :mod:`dynamics.coupling` fits.

Two formats (a header row with exactly these columns, any order):

* pairs — ``pair_id,person,time,value``: two distinct ``person`` labels per pair.
* solo  — ``person_id,time,own,perceived``.

``time`` is an ISO date (``2024-03-01``) or date-time (``2024-03-01T08:30``; an
offset such as ``+02:00`` is allowed and the time counts as written, in its own
local time). Values must be finite numbers (the product's scale is 0–10, but any
finite number is accepted here); empty cells, ``nan`` and ``inf`` are rejected.

Resolution:

* ``"day"`` — one value per person per calendar day: several values on a day are
  averaged. The grid runs from the pair's first to its last day; days without a
  value are NaN (never filled in).
* ``"prompt"`` — every distinct time within a day is a slot (the two persons share a
  slot when they answered at the same time, so export the prompt's scheduled time);
  days are separated by an empty slot, so consecutive prompts of the same day form
  lag pairs and no lag pair ever crosses from one day to the next.

Nothing here raises on bad data: each bad row or pair becomes an error
``{"pair_id": ..., "message": ...}`` that names the line of the file, and everything
else is still read. A bad row is left out and the rest of its pair is still used.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

import numpy as np

__all__ = [
    "PAIR_COLUMNS",
    "SOLO_COLUMNS",
    "PairGrid",
    "SoloGrid",
    "read_pairs_csv",
    "read_solo_csv",
    "stack_pairs",
    "stack_solo",
]

PAIR_COLUMNS = ("pair_id", "person", "time", "value")
SOLO_COLUMNS = ("person_id", "time", "own", "perceived")
RESOLUTIONS = ("day", "prompt")

ReadError = dict[str, str]


@dataclass(frozen=True)
class PairGrid:
    """One pair on its own grid: ``values[t, i]`` is person ``i`` at slot ``t``.

    With ``resolution="day"`` slot 0 is ``start`` and slots are consecutive days;
    with ``"prompt"`` ``start`` is None (slots are prompts, NaN between days)."""

    pair_id: str
    persons: tuple[str, str]
    start: date | None
    values: np.ndarray


@dataclass(frozen=True)
class SoloGrid:
    """One participant: ``own[t]`` and ``perceived[t]`` on the same grid as above."""

    person_id: str
    start: date | None
    own: np.ndarray
    perceived: np.ndarray


@dataclass
class _Row:
    line: int
    key: str
    sub: str  # person label (pairs) or "" (solo)
    when: datetime
    values: tuple[float, ...]


def _error(pair_id: str, message: str) -> ReadError:
    return {"pair_id": pair_id, "message": message}


def _parse_time(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time())
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def _parse_number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _open(source: str | Path | TextIO) -> tuple[TextIO | None, str | None]:
    if isinstance(source, str | Path):
        try:
            return open(source, encoding="utf-8-sig", newline=""), None  # noqa: SIM115
        except OSError as exc:
            return None, f"cannot read {source}: {exc.strerror or exc}"
    return source, None


def _read_rows(
    source: str | Path | TextIO, columns: tuple[str, ...], key_col: str, sub_col: str | None
) -> tuple[list[_Row], list[ReadError]]:
    """Parse and validate rows; returns the good rows and the errors."""
    handle, problem = _open(source)
    if handle is None:
        return [], [_error("", problem or "cannot read the input")]
    errors: list[ReadError] = []
    rows: list[_Row] = []
    value_cols = [c for c in columns if c not in (key_col, "time") and c != sub_col]
    try:
        try:
            text = handle.read()
        except UnicodeDecodeError as exc:
            return [], [_error("", f"the file is not UTF-8 text ({exc.reason})")]
        if not text.strip():
            return [], [_error("", "empty file: expected a header row " + ",".join(columns))]
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except csv.Error as exc:
            return [], [_error("", f"malformed CSV header on line 1: {exc}")]
        missing = [c for c in columns if c not in header]
        unknown = [h for h in header if h not in columns]
        dupes = sorted({h for h in header if header.count(h) > 1})
        if missing or unknown or dupes:
            parts = []
            if missing:
                parts.append("missing column(s) " + ", ".join(missing))
            if unknown:
                parts.append("unknown column(s) " + ", ".join(repr(u) for u in unknown))
            if dupes:
                parts.append("repeated column(s) " + ", ".join(dupes))
            return [], [
                _error(
                    "",
                    "line 1 (header): " + "; ".join(parts) + f" — expected {','.join(columns)}",
                )
            ]
        index = {c: header.index(c) for c in columns}
        seen: dict[tuple[str, str, datetime], int] = {}
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                errors.append(
                    _error(
                        "",
                        f"line {reader.line_num}: malformed CSV ({exc}); the rest of the file was not read",
                    )
                )
                break
            line = reader.line_num
            if not raw or all(not c.strip() for c in raw):
                continue
            key = raw[index[key_col]].strip() if len(raw) > index[key_col] else ""
            if len(raw) != len(header):
                errors.append(_error(key, f"row on line {line}: expected {len(header)} fields, found {len(raw)}"))
                continue
            if not key:
                errors.append(_error("", f"row on line {line}: empty {key_col}"))
                continue
            sub = ""
            if sub_col is not None:
                sub = raw[index[sub_col]].strip()
                if not sub:
                    errors.append(_error(key, f"row on line {line}: empty {sub_col}"))
                    continue
            when = _parse_time(raw[index["time"]])
            if when is None:
                errors.append(
                    _error(
                        key,
                        f"row on line {line}: time {raw[index['time']]!r} is not an ISO date or date-time",
                    )
                )
                continue
            values: list[float] = []
            bad = False
            for col in value_cols:
                number = _parse_number(raw[index[col]])
                if number is None:
                    errors.append(
                        _error(
                            key,
                            f"row on line {line}: {col} {raw[index[col]]!r} is not a finite number",
                        )
                    )
                    bad = True
                    break
                values.append(number)
            if bad:
                continue
            ident = (key, sub, when)
            if ident in seen:
                who = f"{sub!r} " if sub else ""
                errors.append(
                    _error(
                        key,
                        f"row on line {line}: duplicated time {raw[index['time']].strip()!r} "
                        f"for {who}"
                        f"(first given on line {seen[ident]}); this row was left out",
                    )
                )
                continue
            seen[ident] = line
            rows.append(_Row(line, key, sub, when, tuple(values)))
        if not rows and not errors:
            errors.append(_error("", "no data rows after the header"))
    finally:
        if isinstance(source, str | Path):
            handle.close()
    return rows, errors


def _day_grid(series: list[list[_Row]], n_values: int) -> tuple[date, np.ndarray]:
    """Daily means on a grid from the first to the last day: (start, (T, k))."""
    days = [r.when.date() for rows in series for r in rows]
    start, end = min(days), max(days)
    t_len = (end - start).days + 1
    k = len(series) * n_values
    sums = np.zeros((t_len, k))
    counts = np.zeros((t_len, k))
    for s, rows in enumerate(series):
        for r in rows:
            t = (r.when.date() - start).days
            for v, value in enumerate(r.values):
                sums[t, s * n_values + v] += value
                counts[t, s * n_values + v] += 1
    with np.errstate(invalid="ignore"):
        grid = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return start, grid


def _prompt_grid(series: list[list[_Row]], n_values: int) -> np.ndarray:
    """Prompt slots: distinct times within each day, one NaN slot between days."""
    by_day: dict[date, set[datetime]] = {}
    for rows in series:
        for r in rows:
            by_day.setdefault(r.when.date(), set()).add(r.when)
    slot: dict[datetime, int] = {}
    t = 0
    for day in sorted(by_day):
        for when in sorted(by_day[day]):
            slot[when] = t
            t += 1
        t += 1  # the empty slot that keeps days apart
    grid = np.full((max(t - 1, 1), len(series) * n_values), np.nan)
    for s, rows in enumerate(series):
        for r in rows:
            for v, value in enumerate(r.values):
                grid[slot[r.when], s * n_values + v] = value
    return grid


def _group(rows: Iterable[_Row]) -> dict[str, list[_Row]]:
    out: dict[str, list[_Row]] = {}
    for r in rows:
        out.setdefault(r.key, []).append(r)
    return out


def _check_resolution(resolution: str) -> None:
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}; got {resolution!r}")


def read_pairs_csv(source: str | Path | TextIO, *, resolution: str = "day") -> tuple[list[PairGrid], list[ReadError]]:
    """Read a ``pair_id,person,time,value`` file into one grid per pair.

    A pair with one person, or with more than two, is left out with an error; bad rows
    (unparseable time, non-finite value, a time repeated for the same person, wrong
    number of fields) are left out with an error and the rest of the pair is used.
    """
    _check_resolution(resolution)
    rows, errors = _read_rows(source, PAIR_COLUMNS, "pair_id", "person")
    grids: list[PairGrid] = []
    for pair_id, prow in _group(rows).items():
        persons: list[str] = []
        for r in prow:
            if r.sub not in persons:
                persons.append(r.sub)
        if len(persons) != 2:
            if len(persons) == 1:
                msg = (
                    f"pair has only one person ({persons[0]!r}, first row on line "
                    f"{prow[0].line}); a pair needs exactly two — not fitted"
                )
            else:
                third = next(r for r in prow if r.sub == persons[2])
                msg = (
                    f"pair has {len(persons)} persons ({', '.join(map(repr, persons))}); the "
                    f"third appears on line {third.line}; a pair needs exactly two — not fitted"
                )
            errors.append(_error(pair_id, msg))
            continue
        series = [[r for r in prow if r.sub == p] for p in persons]
        if resolution == "day":
            start, grid = _day_grid(series, 1)
            grids.append(PairGrid(pair_id, (persons[0], persons[1]), start, grid))
        else:
            grids.append(PairGrid(pair_id, (persons[0], persons[1]), None, _prompt_grid(series, 1)))
    return grids, errors


def read_solo_csv(source: str | Path | TextIO, *, resolution: str = "day") -> tuple[list[SoloGrid], list[ReadError]]:
    """Read a ``person_id,time,own,perceived`` file into one grid per person."""
    _check_resolution(resolution)
    rows, errors = _read_rows(source, SOLO_COLUMNS, "person_id", None)
    grids: list[SoloGrid] = []
    for pid, prow in _group(rows).items():
        if resolution == "day":
            start, grid = _day_grid([prow], 2)
            grids.append(SoloGrid(pid, start, grid[:, 0], grid[:, 1]))
        else:
            grid = _prompt_grid([prow], 2)
            grids.append(SoloGrid(pid, None, grid[:, 0], grid[:, 1]))
    return grids, errors


def _common_grid(starts: list[date], lengths: list[int]) -> tuple[date, int]:
    start = min(starts)
    end = max(s + timedelta(days=n - 1) for s, n in zip(starts, lengths, strict=True))
    return start, (end - start).days + 1


def stack_pairs(grids: list[PairGrid]) -> tuple[np.ndarray, date]:
    """Day-resolution pair grids on one common calendar grid: ((P, T, 2), start)."""
    if not grids or any(g.start is None for g in grids):
        raise ValueError("stack_pairs needs day-resolution grids")
    starts = [g.start for g in grids if g.start is not None]
    start, t_len = _common_grid(starts, [g.values.shape[0] for g in grids])
    y = np.full((len(grids), max(t_len, 2), 2), np.nan)
    for p, (g, s) in enumerate(zip(grids, starts, strict=True)):
        offset = (s - start).days
        y[p, offset : offset + g.values.shape[0]] = g.values
    return y, start


def stack_solo(grids: list[SoloGrid]) -> tuple[np.ndarray, np.ndarray, date]:
    """Day-resolution solo grids on one common calendar grid: (own, perceived, start)."""
    if not grids or any(g.start is None for g in grids):
        raise ValueError("stack_solo needs day-resolution grids")
    starts = [g.start for g in grids if g.start is not None]
    start, t_len = _common_grid(starts, [g.own.shape[0] for g in grids])
    own = np.full((len(grids), max(t_len, 2)), np.nan)
    perceived = np.full_like(own, np.nan)
    for p, (g, s) in enumerate(zip(grids, starts, strict=True)):
        offset = (s - start).days
        own[p, offset : offset + g.own.shape[0]] = g.own
        perceived[p, offset : offset + g.perceived.shape[0]] = g.perceived
    return own, perceived, start
