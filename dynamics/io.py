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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO, overload

import numpy as np
from numpy.typing import NDArray

from .coupling.results import ErrorJSON as ReadError

__all__ = [
    "PAIR_COLUMNS",
    "PairBatch",
    "ReadError",
    "SoloBatch",
    "read_pairs_batch",
    "read_solo_batch",
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

FloatArray = NDArray[np.float64]


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


# --------------------------------------------------------------------------- batches


class _PersonPairs(Sequence[tuple[str, str]]):
    """Each pair's two person labels, as codes into one small list of labels."""

    def __init__(self, labels: list[str], first: NDArray[np.int64], second: NDArray[np.int64]) -> None:
        self._labels, self._first, self._second = labels, first, second

    def __len__(self) -> int:
        return len(self._first)

    @overload
    def __getitem__(self, k: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, k: slice) -> list[tuple[str, str]]: ...
    def __getitem__(self, k: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        labels = self._labels
        if isinstance(k, slice):
            firsts, seconds = self._first[k].tolist(), self._second[k].tolist()
            return [(labels[a], labels[b]) for a, b in zip(firsts, seconds, strict=True)]
        return labels[self._first[k]], labels[self._second[k]]


@dataclass(frozen=True)
class PairBatch:
    """Day-resolution pairs on one calendar grid: ``y[p, t, i]`` is person ``i`` of pair
    ``p`` on day ``t`` (day 0 = ``start``), the input of :func:`dynamics.coupling.fit_pairs`."""

    y: FloatArray
    start: date
    pair_ids: Sequence[str]
    persons: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class SoloBatch:
    """Day-resolution participants on one calendar grid (``own``, ``perceived`` (N, T))."""

    own: FloatArray
    perceived: FloatArray
    start: date
    person_ids: Sequence[str]


def read_pairs_batch(source: str | Path | TextIO) -> tuple[PairBatch | None, list[ReadError]]:
    """:func:`read_pairs_csv` (day resolution) + :func:`stack_pairs` in one step.

    A file is first read by a vectorised reader (pyarrow; the arrays are built
    directly, no Python object per row). The moment that reader meets anything it does
    not handle exactly like :func:`read_pairs_csv` — any bad row or pair, anything to
    report — the file is read again by :func:`read_pairs_csv`, so the result and its
    errors are always the same as those of ``stack_pairs(read_pairs_csv(source))``.
    ``None`` when no pair could be read.
    """
    if isinstance(source, str | Path):
        fast = _fast_read(Path(source), PAIR_COLUMNS, "pair_id", "person")
        if fast is not None:
            keys, subs, y, start = fast
            assert subs is not None
            return PairBatch(y, start, keys, subs), []
    grids, errors = read_pairs_csv(source, resolution="day")
    if not grids:
        return None, errors
    y, start = stack_pairs(grids)
    return PairBatch(y, start, [g.pair_id for g in grids], [g.persons for g in grids]), errors


def read_solo_batch(source: str | Path | TextIO) -> tuple[SoloBatch | None, list[ReadError]]:
    """:func:`read_solo_csv` (day resolution) + :func:`stack_solo`, vectorised like
    :func:`read_pairs_batch` (with the same exact fallback)."""
    if isinstance(source, str | Path):
        fast = _fast_read(Path(source), SOLO_COLUMNS, "person_id", None)
        if fast is not None:
            keys, _, grid, start = fast
            return SoloBatch(np.ascontiguousarray(grid[:, :, 0]), np.ascontiguousarray(grid[:, :, 1]), start, keys), []
    grids, errors = read_solo_csv(source, resolution="day")
    if not grids:
        return None, errors
    own, perceived, start = stack_solo(grids)
    return SoloBatch(own, perceived, start, [g.person_id for g in grids]), errors


_FastRead = tuple[Sequence[str], Sequence[tuple[str, str]] | None, FloatArray, date]
IntArray = NDArray[np.int64]


def _numbers(arr: Any, dtype: type[np.generic]) -> NDArray[Any]:
    """The values of a pyarrow array of fixed-width numbers without nulls, as a numpy
    view of its buffer (``to_numpy`` would import pandas: ~0.1 s of start-up)."""
    if not len(arr):
        return np.zeros(0, dtype=dtype)
    size = np.dtype(dtype).itemsize
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=len(arr), offset=arr.offset * size)


class _Codes:
    """Labels met batch by batch, numbered globally in order of first appearance."""

    def __init__(self) -> None:
        self.code: dict[str, int] = {}

    def labels(self) -> list[str]:
        return list(self.code)

    def of(self, column: Any) -> NDArray[np.int32] | None:
        """Global codes of a batch's column (dictionary-encoded or not); None when a
        label is empty or has surrounding blanks (the exact reader decides those)."""
        import pyarrow.compute as pc

        enc = column if hasattr(column, "indices") else pc.dictionary_encode(column)
        try:  # read as bytes (no UTF-8 check of every row): only the distinct labels are decoded
            words = [w.decode("utf-8") for w in enc.dictionary.to_pylist()]
        except UnicodeDecodeError:
            return None
        if any(not w or w != w.strip() for w in words):
            return None
        setdefault = self.code.setdefault
        mapping = np.array([setdefault(w, len(self.code)) for w in words], dtype=np.int32)
        if enc.indices.null_count:  # pragma: no cover - strings_can_be_null=False
            return None
        out: NDArray[np.int32] = mapping[_numbers(enc.indices, np.int32)]
        return out


#: Bytes of the file parsed at a time (blocks are parsed by pyarrow's threads while this
#: one encodes the last): a few blocks even for a small batch, large enough not to cost
#: per block (16 MB blocks cost as much CPU time and leave a 5,000-pair file in 2 blocks).
BLOCK_BYTES = 1 << 20


def _fast_read(path: Path, columns: tuple[str, ...], key_col: str, sub_col: str | None) -> _FastRead | None:
    """The vectorised reader, or None whenever the exact reader must decide."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    try:
        with path.open("rb") as fh:
            first_line = fh.readline().decode("utf-8-sig")
        header = [h.strip() for h in next(csv.reader([first_line], strict=True))]
    except (OSError, UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if sorted(header) != sorted(columns):
        return None
    value_cols = [c for c in columns if c not in (key_col, "time", sub_col)]
    # Labels are read as plain bytes (no UTF-8 check), dictionary-encoded by the parser
    # itself. The whole file is parsed at once, its blocks on every core (the streaming
    # reader parses one block after another); what it holds is small — a code per label
    # cell and the numbers — and each block is turned into arrays and let go in turn.
    label = pa.dictionary(pa.int32(), pa.binary())
    types: dict[str, Any] = {c: label for c in (key_col, sub_col, "time") if c is not None}
    types.update({c: pa.float64() for c in value_cols})
    keys, subs, times = _Codes(), _Codes(), _Codes()
    parts: dict[str, list[NDArray[Any]]] = {c: [] for c in ("key", "sub", "time", *value_cols)}
    try:
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK_BYTES),
            convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
        batches = table.to_batches()[::-1]
        del table
        while batches:
            batch = batches.pop()
            for col in value_cols:
                column = batch.column(col)
                if column.null_count:
                    return None
                v = _numbers(column, np.float64)
                if not np.isfinite(v).all():
                    return None
                parts[col].append(v)
            for name, label_col, book in (("key", key_col, keys), ("sub", sub_col, subs), ("time", "time", times)):
                if label_col is None:
                    continue
                got = book.of(batch.column(label_col))
                if got is None:
                    return None
                parts[name].append(got)
    except (pa.ArrowException, OSError):
        return None
    if not parts["key"] or sum(a.size for a in parts["key"]) == 0:
        return None

    # times: each distinct text parsed once, exactly as the exact reader does
    parsed = [_parse_time(t) for t in times.labels()]
    if any(p is None for p in parsed):
        return None
    whens = [p for p in parsed if p is not None]
    start = min(w.date() for w in whens)
    day_of = np.array([(w.date() - start).days for w in whens], dtype=np.int64)
    distinct: dict[datetime, int] = {}
    when_of = np.array([distinct.setdefault(w, len(distinct)) for w in whens], dtype=np.int64)
    t_len = max(int(day_of.max()) + 1, 2)

    key = np.concatenate(parts.pop("key"))
    n_keys = len(keys.code)  # numbered in order of first appearance, as the exact reader orders them
    width = 1
    persons: _PersonPairs | None = None
    slot: NDArray[Any] | int = 0
    if sub_col is not None:
        sub = np.concatenate(parts.pop("sub"))
        # the first person of a pair is the person of its first row
        seen = np.maximum.accumulate(key)
        first_row = np.flatnonzero(np.concatenate(([True], seen[1:] != seen[:-1])))
        del seen
        first_person = sub[first_row]
        slot = sub != first_person[key]
        second_person = np.full(n_keys, -1, dtype=np.int64)
        key_2, sub_2 = key[slot], sub[slot]
        second_person[key_2] = sub_2
        if (second_person < 0).any() or (sub_2 != second_person[key_2]).any():
            return None  # one person, or three or more: the exact reader names them
        del sub, key_2, sub_2
        width = 2
        persons = _PersonPairs(subs.labels(), first_person.astype(np.int64), second_person)
    n_cells = n_keys * t_len * width
    cell: NDArray[np.signedinteger[Any]] = key.astype(np.int64 if n_cells >= 2**31 else np.int32, copy=False)
    del key
    cell *= t_len * width
    cell += day_of.astype(cell.dtype)[np.concatenate(parts["time"])] * width
    cell += slot
    del slot
    counts = np.bincount(cell, minlength=n_cells)
    several = bool(counts.max() > 1)
    if several:
        # several values in a cell: fine unless a time is given twice for the same person
        many = counts[cell] > 1
        stamp = cell[many].astype(np.int64) * len(distinct) + when_of[np.concatenate(parts["time"])[many]]
        if np.unique(stamp).size != stamp.size:
            return None
    del parts["time"]
    grids = []
    if not several:  # one value a cell at most: the values are the grid (+ 0.0: -0.0 reads 0.0, as a mean does)
        del counts
        for col in value_cols:
            g = np.full(n_cells, np.nan)
            g[cell] = np.concatenate(parts.pop(col)) + 0.0
            grids.append(g)
        del cell
    else:
        empty = counts == 0
        for col in value_cols:
            weights = np.concatenate(parts.pop(col))
            sums = np.bincount(cell, weights=weights, minlength=counts.size).astype(np.float64, copy=False)
            del weights
            np.divide(sums, counts, out=sums, where=~empty)  # the day's mean, as the exact reader's
            sums[empty] = np.nan
            grids.append(sums)
        del cell, counts, empty
    grid: FloatArray = grids[0] if len(grids) == 1 else np.stack(grids, axis=-1)
    return keys.labels(), persons, grid.reshape(n_keys, t_len, width * len(value_cols)), start
