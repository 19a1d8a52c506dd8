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
import itertools
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO, overload

import numpy as np

from .coupling import PairRecord, iter_pair_records, iter_solo_records
from .coupling.results import COMPACT, PRETTY, error_text, gc_paused, pair_text
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
        p.add_argument("--method", choices=("ols", "corrected"), default="corrected")
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


def _common(args: argparse.Namespace) -> dict[str, Any]:
    return {"method": args.method, "chance": not args.no_chance, "seed": args.seed}


def _pair_records(args: argparse.Namespace) -> tuple[Iterator[PairRecord], list[ReadError]]:
    if args.resolution == "day":
        batch, errors = read_pairs_batch(args.input)
        if batch is None:
            return iter(()), errors
        records = iter_pair_records(
            batch.y, persons=batch.persons, pair_ids=batch.pair_ids, start=batch.start,
            window=args.window, step=args.step, **_common(args),
        )  # fmt: skip
        return records, errors
    # prompt slots differ between pairs, so pairs are not aligned: fit each on its own
    # (its chance level then comes from time-shifted surrogates).
    grids, errors = read_pairs_csv(args.input, resolution=args.resolution)
    one = (
        iter_pair_records(_two_slots(g.values)[None], persons=[g.persons], pair_ids=[g.pair_id], **_common(args))
        for g in grids
    )
    return itertools.chain.from_iterable(one), errors


def _solo_records(args: argparse.Namespace) -> tuple[Iterator[PairRecord], list[ReadError]]:
    if args.resolution == "day":
        batch, errors = read_solo_batch(args.input)
        if batch is None:
            return iter(()), errors
        records = iter_solo_records(
            batch.own, batch.perceived, ids=batch.person_ids, other_labels=_Repeat(PERCEIVED, len(batch.person_ids)),
            start=batch.start, window=args.window, step=args.step, **_common(args),
        )  # fmt: skip
        return records, errors
    grids, errors = read_solo_csv(args.input, resolution=args.resolution)
    one = (
        iter_solo_records(
            _two_slots(g.own)[None], _two_slots(g.perceived)[None], ids=[g.person_id], other_labels=[PERCEIVED],
            **_common(args),
        )
        for g in grids
    )
    return itertools.chain.from_iterable(one), errors


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


def _write(out: TextIO, fmt: str, records: Iterator[PairRecord], errors: list[ReadError]) -> tuple[int, bool]:
    """Stream the records to ``out``; returns (how many, whether any got a number)."""
    n, fitted = 0, False
    pretty = fmt == "json"
    style = PRETTY if pretty else COMPACT
    if pretty:
        out.write('{\n  "pairs": [')
    buf: list[str] = []
    for rec in records:
        if not fitted:
            fitted = any(e[3] is not None for e in rec.effects)
        if pretty:
            buf.append(("\n    " if n == 0 else ",\n    ") + pair_text(rec, 2, style))
        else:
            buf.append(pair_text(rec, 0, style) + "\n")
        n += 1
        if len(buf) >= 512:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    if pretty:
        out.write("\n  ]" if n else "]")
        out.write(',\n  "errors": ' + style.container("[]", [error_text(e, 2, style) for e in errors], 1) + "\n}\n")
    else:
        out.write("".join('{"error": ' + error_text(e, 0, style) + "}\n" for e in errors))
    return n, fitted


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _validate(parser, args)
    records, errors = _pair_records(args) if args.command == "fit" else _solo_records(args)
    try:
        # ASCII only (non-ASCII is escaped, as json.dumps does), so the encoding is moot
        with args.out.open("w", encoding="utf-8", newline="\n") as out, gc_paused():
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
