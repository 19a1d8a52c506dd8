"""Run the proof benches and write ``bench/RESULTS.md``.

    .venv/bin/python -m bench.run_all [--only cli_speed …]

Each bench runs in its own fresh process (``python -m bench.<name> --json …``), exactly
as one would run it by hand; its table is echoed here and collected into RESULTS.md
with the date, the engine's commit and the machine. Exit status 1 if any target FAILs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import machine, md_table, verdict

ROOT = Path(__file__).resolve().parent.parent
BENCHES = (
    ("agreement", "OLS equals statsmodels, pair by pair"),
    ("recovery", "known parameters recovered with honest intervals"),
    ("speed", "100,000 pairs: time, memory, speed-up over statsmodels"),
    ("pooled", "pooled estimator: recovery, agreement with scipy, speed and memory"),
    ("cli_speed", "the command line end to end: marginal cost vs statsmodels, 100,000 pairs"),
)


def _git(*args: str) -> str:
    try:
        git = shutil.which("git") or "git"
        out = subprocess.run(  # noqa: S603 - fixed git arguments of our own
            [git, *args], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _run(name: str, tmp: Path) -> dict[str, Any]:
    out = tmp / f"{name}.json"
    cmd = [sys.executable, "-m", f"bench.{name}", "--json", str(out)]
    shown = f".venv/bin/python -m bench.{name}"
    print(f"\n=== {shown}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - t0
    print(proc.stdout, end="", flush=True)
    if proc.stderr.strip():
        print(proc.stderr, file=sys.stderr, end="", flush=True)
    if not out.exists():
        return {
            "command": shown,
            "seconds": seconds,
            "pass": False,
            "markdown": f"**Crashed (exit {proc.returncode}):**\n\n```\n{proc.stderr[-3000:]}\n```",
        }
    res = json.loads(out.read_text())
    res.update(command=shown, seconds=seconds)
    return res


def _previous(path: Path) -> dict[str, dict[str, Any]]:
    """The benches of an earlier RESULTS.md, to keep when only some are run again."""
    if not path.exists():
        return {}
    text = path.read_text()
    date = re.search(r"^\* Date: (.+)$", text, re.M)
    commit = re.search(r"^\* Engine: commit `([^`]+)`", text, re.M)
    when = f"{date.group(1) if date else 'an earlier run'}, commit `{commit.group(1) if commit else '?'}`"
    out: dict[str, dict[str, Any]] = {}
    for name, _ in BENCHES:
        row = re.search(rf"^\| {re.escape(name)} \| [^|]* \| ([^|]*) \| ([^|]*) \| (PASS|FAIL) \|$", text, re.M)
        section = re.search(rf"^## {re.escape(name)} — [^\n]*\n\n(.*?)(?=^## |\Z)", text, re.M | re.S)
        if row and section:
            body = re.sub(r"^\(kept from [^\n]*\)\n\n", "", section.group(1).strip())
            out[name] = {
                "command": row.group(1).strip().strip("`"),
                "seconds": float(row.group(2).split()[0]),
                "pass": row.group(3) == "PASS",
                "body": f"(kept from the run of {when}, on the machine of that run — not run again)\n\n{body}"
                if "(kept from" not in section.group(1)
                else section.group(1).strip(),
            }
    return out


def _other_sections(path: Path) -> str:
    """The sections of ``path`` that other benches write (load, nightly, spam, notes by
    hand), as they are: this file is shared, and a run here must not drop them."""
    if not path.exists():
        return ""
    own = {"Machine", "Summary", *(name for name, _ in BENCHES)}
    text = path.read_text()
    kept = []
    for section in re.finditer(r"^## ([^\n]*)\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        name = section.group(1).split(" — ")[0].strip()
        if name not in own:
            kept.append(section.group(0).rstrip() + "\n")
    return "\n".join(kept)


def results_md(results: dict[str, dict[str, Any]], started: dt.datetime, total: float, others: str = "") -> str:
    info = machine()
    dirty = _git("status", "--porcelain", "--", "dynamics")
    lines = [
        "# Coupling engine — proof benchmarks",
        "",
        "Written by `.venv/bin/python -m bench.run_all` (see `bench/README.md`). Benches are"
        " run by hand, not in CI; this file is their committed record.",
        "",
        f"* Date: {started.strftime('%Y-%m-%d %H:%M UTC')}",
        f"* Engine: commit `{_git('rev-parse', '--short', 'HEAD')}`"
        + (" with uncommitted changes in dynamics/" if dirty else ", dynamics/ unmodified"),
        f"* Whole run: {total:.0f} s"
        + (
            " (benches marked *kept* were not run again; their sections are those of an earlier run)"
            if any("body" in r for r in results.values())
            else ""
        ),
        "",
        "## Machine",
        "",
        md_table(["", ""], [[k, v] for k, v in info.items()], align="ll"),
        "",
        "## Summary",
        "",
        md_table(
            ["bench", "proves", "command", "time", "result"],
            [
                [
                    name,
                    what,
                    f"`{results[name]['command']}`",
                    f"{results[name]['seconds']:.0f} s",
                    verdict(results[name]["pass"]),
                ]
                for name, what in BENCHES
            ],
            align="lllrl",
        ),
    ]
    for name, what in BENCHES:
        r = results[name]
        lines += ["", f"## {name} — {what}", ""]
        if "body" in r:  # not run this time: the section of the earlier run, as it was
            lines.append(r["body"])
        else:
            lines += [f"`{r['command']}` ({r['seconds']:.0f} s)", "", r["markdown"]]
    text = "\n".join(lines) + "\n"
    return text + ("\n" + others if others else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    ap.add_argument(
        "--only",
        nargs="+",
        choices=[name for name, _ in BENCHES],
        help="run only these; the other sections of --out are kept as they were (marked so)",
    )
    args = ap.parse_args(argv)
    previous = _previous(Path(args.out)) if args.only else {}
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, _ in BENCHES:
            if args.only and name not in args.only and name in previous:
                results[name] = previous[name]
            else:
                results[name] = _run(name, Path(tmp))
    total = time.perf_counter() - t0
    others = _other_sections(Path(args.out))
    Path(args.out).write_text(results_md(results, started, total, others))
    print(f"\nWrote {args.out} ({total:.0f} s in all).")
    for name, _ in BENCHES:
        print(f"  {name}: {verdict(results[name]['pass'])}")
    return 0 if all(r["pass"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
