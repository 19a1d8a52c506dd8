"""The command line: ``python -m dynamics fit|solo INPUT.csv --out OUT.json``.

The file is read into arrays (:func:`dynamics.io.read_pairs_batch`), every pair is
fitted at once, and the results are written as they are assembled, a chunk of pairs
at a time (``--format json``: the document ``{"pairs": [...], "errors": [...]}``,
laid out exactly as ``json.dumps(doc, indent=2)``; ``--format jsonl``: one pair a
line, then one ``{"error": {...}}`` line per error).

Exit status 0 when at least one pair (or participant) got a number; 2 when nothing
could be fitted (the reasons are in OUT.json's ``errors`` and on stderr) or the
command line itself is wrong.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, overload

import numpy as np

from .coupling import CHUNK_PAIRS, PairRecord, iter_pair_records, iter_solo_records
from .coupling.results import COMPACT, PRETTY, RecordStream, error_text, gc_paused
from .coupling.var1 import FloatArray
from .io import ReadError, read_pairs_batch, read_pairs_csv, read_solo_batch, read_solo_csv

__all__ = ["main"]

PERCEIVED = "perceived"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dynamics",
        description="How strongly one person's daily mood follows another's (bivariate VAR(1)).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("fit", "pairs: INPUT columns pair_id,person,time,value"),
        ("solo", "one participant: INPUT columns person_id,time,own,perceived"),
    ):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("input", type=Path, metavar="INPUT.csv")
        p.add_argument("--out", type=Path, required=True, metavar="OUT.json")
        p.add_argument(
            "--format",
            choices=("json", "jsonl"),
            default="json",
            help="json: one document {pairs, errors} (default); jsonl: one pair a line, then one line per error",
        )
        p.add_argument(
            "--method",
            choices=("ols", "corrected", "pooled"),
            default="corrected",
            help="per-pair OLS, per-pair bias-corrected (default), or pooled across the batch (fit only)",
        )
        p.add_argument("--window", type=int, metavar="DAYS", help="rolling windows of DAYS days")
        p.add_argument("--step", type=int, metavar="DAYS", help="days between windows")
        p.add_argument(
            "--resolution",
            choices=("day", "prompt"),
            default="day",
            help="day: average a day's values (default); prompt: lag only within a day",
        )
        p.add_argument("--seed", type=int, default=0, help="seed for the chance level")
        p.add_argument("--no-chance", action="store_true", help="skip exceeds_chance")
    return parser


def _validate(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.step is not None and args.window is None:
        parser.error("--step needs --window")
    if args.window is not None:
        if args.resolution == "prompt":
            parser.error("--window/--step work in days and need --resolution day")
        if args.window < 3:
            parser.error("--window must be at least 3 days")
        if args.step is not None and args.step < 1:
            parser.error("--step must be at least 1 day")


#: Records assembled (and written) at a time.
CHUNK = CHUNK_PAIRS


def _common(args: argparse.Namespace) -> dict[str, Any]:
    return {"method": args.method, "chance": not args.no_chance, "seed": args.seed}


_NOTHING = RecordStream(0, 1, lambda lo, hi: iter(()))


def _one_by_one(n: int, fit_one: Callable[[int], RecordStream]) -> RecordStream:
    """Rows fitted one at a time, when they are asked for."""

    def records(lo: int, hi: int) -> Iterator[PairRecord]:
        for k in range(lo, hi):
            yield from fit_one(k)

    return RecordStream(n, CHUNK, records)


def _pair_records(args: argparse.Namespace) -> tuple[RecordStream, list[ReadError]]:
    if args.resolution == "day":
        batch, errors = read_pairs_batch(args.input)
        if batch is None:
            return _NOTHING, errors
        records = iter_pair_records(
            batch.y, persons=batch.persons, pair_ids=batch.pair_ids, start=batch.start,
            window=args.window, step=args.step, chunk=CHUNK, **_common(args),
        )  # fmt: skip
        return records, errors
    # prompt slots differ between pairs, so pairs are not aligned: fit each on its own
    # (its chance level then comes from time-shifted surrogates).
    grids, errors = read_pairs_csv(args.input, resolution=args.resolution)

    def fit_one(k: int) -> RecordStream:
        g = grids[k]
        return iter_pair_records(_two_slots(g.values)[None], persons=[g.persons], pair_ids=[g.pair_id], **_common(args))

    return _one_by_one(len(grids), fit_one), errors


def _solo_records(args: argparse.Namespace) -> tuple[RecordStream, list[ReadError]]:
    if args.resolution == "day":
        batch, errors = read_solo_batch(args.input)
        if batch is None:
            return _NOTHING, errors
        records = iter_solo_records(
            batch.own, batch.perceived, ids=batch.person_ids, other_labels=_Repeat(PERCEIVED, len(batch.person_ids)),
            start=batch.start, window=args.window, step=args.step, chunk=CHUNK, **_common(args),
        )  # fmt: skip
        return records, errors
    solos, errors = read_solo_csv(args.input, resolution=args.resolution)

    def fit_one(k: int) -> RecordStream:
        g = solos[k]
        own, perceived = _two_slots(g.own)[None], _two_slots(g.perceived)[None]
        return iter_solo_records(own, perceived, ids=[g.person_id], other_labels=[PERCEIVED], **_common(args))

    return _one_by_one(len(solos), fit_one), errors


def _two_slots(values: FloatArray) -> FloatArray:
    """A grid of one slot has no lag pair; fit it as two empty slots (no numbers)."""
    return values if values.shape[0] >= 2 else np.full((2, *values.shape[1:]), np.nan)


class _Repeat(Sequence[str]):
    def __init__(self, value: str, n: int) -> None:
        self._value, self._n = value, n

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, k: int) -> str: ...
    @overload
    def __getitem__(self, k: slice) -> list[str]: ...
    def __getitem__(self, k: int | slice) -> str | list[str]:
        if isinstance(k, slice):
            return [self._value] * len(range(*k.indices(self._n)))
        if not -self._n <= k < self._n:
            raise IndexError(k)
        return self._value


#: From this many records on, the text is made by worker processes (fork) when there
#: are several cores; below it the start-up would cost more than it saves.
PARALLEL_MIN = 8 * CHUNK_PAIRS
_JOB: tuple[RecordStream, bool] | None = None  # what forked workers format


def _chunk_text(bounds: tuple[int, int]) -> tuple[bytes, int, bool]:
    """Rows ``lo:hi`` of the job as text: (text, how many, whether any got a number).

    The text is ASCII (json's escaping), so it travels and is written as bytes."""
    assert _JOB is not None
    stream, pretty = _JOB
    if pretty:
        texts, fitted = stream.texts(*bounds, 2, PRETTY)
        text = ",\n    ".join(["", *texts])  # ",\n    " before each (one copy of the text)
    else:
        texts, fitted = stream.texts(*bounds, 0, COMPACT)
        text = "\n".join([*texts, ""])  # "\n" after each
    return text.encode("ascii"), len(texts), fitted


def _texts(stream: RecordStream, pretty: bool) -> Iterator[tuple[bytes, int, bool]]:
    global _JOB
    _JOB = (stream, pretty)
    try:
        workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4)
        if len(stream) >= PARALLEL_MIN and workers > 1 and "fork" in mp.get_all_start_methods():
            # several slices per worker, so that none waits long for the last, larger one;
            # this process makes every `workers`-th slice itself, the others the rest
            size = max(256, min(stream.chunk, -(-len(stream) // (4 * workers))))
            bounds = stream.bounds(size)
            with mp.get_context("fork").Pool(workers - 1) as pool:
                theirs = pool.imap(_chunk_text, [b for i, b in enumerate(bounds) if i % workers])
                for i, b in enumerate(bounds):
                    yield _chunk_text(b) if i % workers == 0 else next(theirs)
        else:
            yield from map(_chunk_text, stream.bounds())
    finally:
        _JOB = None


def _write(out: BinaryIO, fmt: str, stream: RecordStream, errors: list[ReadError]) -> tuple[int, bool]:
    """Stream the records to ``out``; returns (how many, whether any got a number)."""
    n, fitted = 0, False
    pretty = fmt == "json"
    style = PRETTY if pretty else COMPACT
    if pretty:
        out.write(b'{\n  "pairs": [')
    for text, k, any_number in _texts(stream, pretty):
        out.write(text[1:] if pretty and n == 0 and k else text)  # no comma before the first pair
        n += k
        fitted = fitted or any_number
    if pretty:
        tail = ("\n  ]" if n else "]") + ',\n  "errors": '
        tail += style.container("[]", [error_text(e, 2, style) for e in errors], 1) + "\n}\n"
    else:
        tail = "".join('{"error": ' + error_text(e, 0, style) + "}\n" for e in errors)
    out.write(tail.encode("ascii"))
    return n, fitted


def _pooled(args: argparse.Namespace) -> int:
    """``fit --method pooled``: one hierarchical fit of the whole batch (dynamics.pooled).

    Persons' labels define the populations: a label pair shared by pairs (e.g. parent and
    child) gets a population of its own; otherwise the two persons are exchangeable."""
    import json

    from .pooled import fit_pooled

    batch, errors = read_pairs_batch(args.input)
    if batch is None:
        for err in errors:
            print(f"warning: [{err['pair_id']}] {err['message']}", file=sys.stderr)
        print("error: nothing could be fitted — no pair had enough usable data", file=sys.stderr)
        return 2
    persons = [(str(a), str(b)) for a, b in batch.persons]
    result = fit_pooled(batch.y, persons=persons, pair_ids=[str(p) for p in batch.pair_ids], labels=persons).to_json()
    result["errors"] = [{"pair_id": e["pair_id"], "message": e["message"]} for e in errors] + result["errors"]
    try:
        args.out.write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for err in result["errors"]:
        print(f"warning: [{err['pair_id']}] {err['message']}", file=sys.stderr)
    fitted = [p for p in result["pairs"] if any(e.get("estimate") is not None for e in p["effects"])]
    if not fitted:
        print("error: nothing could be fitted — no pair had enough usable data", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.method == "pooled":
        if args.command != "fit" or args.resolution != "day" or args.window or args.format != "json":
            parser.error("--method pooled fits whole pairs by day: use it with `fit`, day resolution, json output")
        return _pooled(args)
    _validate(parser, args)
    records, errors = _pair_records(args) if args.command == "fit" else _solo_records(args)
    try:
        with args.out.open("wb") as out, gc_paused():
            n, fitted = _write(out, args.format, records, errors)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for err in errors:
        where = f"[{err['pair_id']}] " if err["pair_id"] else ""
        print(f"warning: {where}{err['message']}", file=sys.stderr)
    if not fitted:
        what = "pair" if args.command == "fit" else "participant"
        print(
            f"error: nothing could be fitted — no {what} had enough usable data"
            f" ({n} read, {len(errors)} error(s)); see {args.out}",
            file=sys.stderr,
        )
        return 2
    return 0
