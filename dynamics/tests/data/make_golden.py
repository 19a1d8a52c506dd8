"""Write the golden sample of ``test_golden.py``: CSV inputs and the CLI's outputs.

The outputs in this folder were written by the CLI *before* the vectorised reader and
the streaming writer (commit 156861c), so ``test_golden.py`` checks the new CLI
against the old one. Re-running this with today's CLI would only compare it with
itself — do that only on purpose (e.g. after a deliberate change of the output):

    PYTHONPATH=. .venv/bin/python dynamics/tests/data/make_golden.py
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np

D = Path(__file__).resolve().parent
ROOT = D.parents[2]
rng = np.random.default_rng(2024)


def pairs_file(path: Path, n_pairs: int, t_len: int, extra: Sequence[list[str]] = (), times: bool = False) -> None:
    rows: list[list[str]] = []
    for k in range(n_pairs):
        a = np.array([[0.4, 0.1 * (k % 3)], [0.3 if k % 2 else 0.0, 0.3]])
        y = np.zeros((t_len + 20, 2))
        for t in range(1, t_len + 20):
            y[t] = a @ y[t - 1] + rng.standard_normal(2)
        y = np.round(y[20:] + 5, 2)
        off = int(rng.integers(0, 5))
        for t in range(t_len):
            for i, who in enumerate(("mum", "kid") if k % 4 else ("Zoë", "you")):
                if rng.random() < 0.1:
                    continue
                v = float(y[t, i])
                if k == 3:
                    v = 5.0 if i == 1 else v  # constant kid
                if k == 5 and t > 12:
                    continue  # too short
                day = (date(2024, 3, 1) + timedelta(days=t + off)).isoformat()
                if times:
                    rows.append([f"pair-{k}", who, day + "T08:30", repr(v)])
                    if rng.random() < 0.2:
                        rows.append([f"pair-{k}", who, day + " 20:15:00+02:00", repr(v + 1)])
                else:
                    rows.append([f"pair-{k}", who, day, repr(v)])
    rows += list(extra)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["pair_id", "person", "time", "value"])
        w.writerows(rows)


def solo_file(path: Path, n: int, t_len: int) -> None:
    rows: list[list[str]] = []
    for k in range(n):
        p = np.round(rng.normal(5, 1.5, t_len), 1)
        o = np.round(5 + 0.4 * (p - 5) + rng.normal(0, 1, t_len), 1)
        for t in range(t_len):
            if rng.random() < 0.15:
                continue
            rows.append(
                [f"s{k}", (date(2024, 1, 1) + timedelta(days=t)).isoformat(), repr(float(o[t])), repr(float(p[t]))]
            )
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["person_id", "time", "own", "perceived"])
        w.writerows(rows)


RUNS = {
    "pairs_default": ["fit", "pairs.csv"],
    "pairs_window": ["fit", "pairs.csv", "--window", "21", "--step", "7"],
    "pairs_ols_nochance": ["fit", "pairs.csv", "--method", "ols", "--no-chance"],
    "pairs_small": ["fit", "pairs_small.csv", "--seed", "3"],
    "pairs_bad": ["fit", "pairs_bad.csv"],
    "pairs_times": ["fit", "pairs_times.csv", "--window", "14"],
    "pairs_times_prompt": ["fit", "pairs_times.csv", "--resolution", "prompt"],
    "pairs_prompt": ["fit", "pairs_small.csv", "--resolution", "prompt"],
    "solo_default": ["solo", "solo.csv"],
    "solo_window": ["solo", "solo.csv", "--window", "30", "--step", "10"],
}


def main() -> None:
    rel = D.relative_to(ROOT).as_posix()
    pairs_file(D / "pairs.csv", 24, 50)
    pairs_file(D / "pairs_small.csv", 3, 40)
    pairs_file(D / "pairs_times.csv", 21, 40, times=True)
    bad = [
        ["pair-1", "mum", "2024-13-01", "5"],
        ["pair-2", "kid", "2024-03-02", "abc"],
        ["pair-x", "solo", "2024-03-01", "4"],
    ]
    pairs_file(D / "pairs_bad.csv", 22, 30, extra=bad)
    solo_file(D / "solo.csv", 6, 60)
    manifest = {}
    for name, (command, src, *extra) in RUNS.items():
        argv = [command, f"{rel}/{src}", *extra]
        out = D / f"{name}.tmp"
        proc = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "dynamics", *argv, "--out", str(out)], cwd=ROOT, capture_output=True, text=True
        )
        data = out.read_bytes()
        out.unlink()
        (D / f"{name}.json.gz").write_bytes(gzip.compress(data, mtime=0))
        manifest[name] = {"argv": argv, "exit": proc.returncode}
        print(name, proc.returncode, len(data))
    (D / "golden.json").write_text(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
