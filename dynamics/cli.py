"""The command line: ``python -m dynamics fit|solo INPUT.csv --out OUT.json``.

Exit status 0 when at least one pair (or participant) got a number; 2 when nothing
could be fitted (the reasons are in OUT.json's ``errors`` and on stderr) or the
command line itself is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .coupling import PairResult, fit_pairs, fit_solo
from .io import read_pairs_csv, read_solo_csv, stack_pairs, stack_solo

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


def _fit_pairs_file(args: argparse.Namespace) -> tuple[list[PairResult], list[dict[str, str]]]:
    grids, errors = read_pairs_csv(args.input, resolution=args.resolution)
    if not grids:
        return [], errors
    common = {
        "method": args.method,
        "chance": not args.no_chance,
        "seed": args.seed,
    }
    if args.resolution == "day":
        y, start = stack_pairs(grids)
        results = fit_pairs(
            y,
            persons=[g.persons for g in grids],
            pair_ids=[g.pair_id for g in grids],
            start=start,
            window=args.window,
            step=args.step,
            **common,
        )
        return results, errors
    # prompt slots differ between pairs, so pairs are not aligned: fit each on its own
    # (its chance level then comes from time-shifted surrogates).
    results = []
    for g in grids:
        values = g.values if g.values.shape[0] >= 2 else np.full((2, 2), np.nan)
        results += fit_pairs(values[None], persons=[g.persons], pair_ids=[g.pair_id], **common)
    return results, errors


def _fit_solo_file(args: argparse.Namespace) -> tuple[list[PairResult], list[dict[str, str]]]:
    grids, errors = read_solo_csv(args.input, resolution=args.resolution)
    if not grids:
        return [], errors
    common: dict[str, Any] = {
        "method": args.method,
        "chance": not args.no_chance,
        "seed": args.seed,
    }
    if args.resolution == "day":
        own, perceived, start = stack_solo(grids)
        results = fit_solo(
            own,
            perceived,
            ids=[g.person_id for g in grids],
            other_labels=[PERCEIVED] * len(grids),
            start=start,
            window=args.window,
            step=args.step,
            **common,
        )
        return results, errors
    results = []
    for g in grids:
        o, p = g.own, g.perceived
        if o.shape[0] < 2:
            o = p = np.full(2, np.nan)
        results += fit_solo(o[None], p[None], ids=[g.person_id], other_labels=[PERCEIVED], **common)
    return results, errors


def _anything_fitted(results: list[PairResult]) -> bool:
    return any(e.estimate is not None for r in results for e in r.effects)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _validate(parser, args)
    if args.command == "fit":
        results, errors = _fit_pairs_file(args)
    else:
        results, errors = _fit_solo_file(args)
    doc = {"pairs": [r.as_json() for r in results], "errors": errors}
    try:
        args.out.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for err in errors:
        where = f"[{err['pair_id']}] " if err["pair_id"] else ""
        print(f"warning: {where}{err['message']}", file=sys.stderr)
    if not _anything_fitted(results):
        what = "pair" if args.command == "fit" else "participant"
        print(
            f"error: nothing could be fitted — no {what} had enough usable data"
            f" ({len(results)} read, {len(errors)} error(s)); see {args.out}",
            file=sys.stderr,
        )
        return 2
    return 0
