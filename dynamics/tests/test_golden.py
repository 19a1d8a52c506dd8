"""The command line's output against a golden sample written by the pre-streaming CLI.

``data/make_golden.py`` wrote the inputs and, with the CLI as it was before the
vectorised reader and the streaming writer, the outputs (``*.json.gz``). Every word and
field must come out the same, and every number to within round-off (relative 1e-12):
OpenBLAS picks its kernels by CPU, so the last bit of a sum can differ between machines
(seen: ``-0.27384314473955523`` against ``-0.2738431447395553``). ``change.p`` is now
``math.erfc`` instead of ``scipy.stats.norm.sf`` (they agree to ~1e-13 relative).
The text layout is checked too: it must be exactly ``json.dumps(doc, indent=2)``'s.
"""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dynamics.cli import main

DATA = Path(__file__).resolve().parent / "data"
ROOT = DATA.parents[2]
GOLDEN: dict[str, Any] = json.loads((DATA / "golden.json").read_text())


def same(new: Any, old: Any, where: str = "") -> None:
    """Equal; floats to within round-off (relative 1e-12)."""
    assert type(new) is type(old), where
    if isinstance(old, dict):
        assert list(new) == list(old), where
        for k in old:
            if k == "interpretation":  # the wording was rewritten deliberately (issue 10); numbers are not
                assert isinstance(new[k], str) and new[k], f"{where}.interpretation"
            else:
                same(new[k], old[k], f"{where}.{k}")
    elif isinstance(old, list):
        assert len(new) == len(old), where
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(old, float):
        assert math.isclose(new, old, rel_tol=1e-12, abs_tol=1e-15), f"{where}: {new!r} != {old!r}"
    else:
        assert new == old, where


def run_case(name: str, tmp_path: Path, *extra: str) -> tuple[int, str]:
    case = GOLDEN[name]
    argv = [case["argv"][0], str(ROOT / case["argv"][1]), *case["argv"][2:]]
    out = tmp_path / f"{name}.out"
    code = main([*argv, "--out", str(out), *extra])
    return code, out.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_output_equals_the_golden_sample(name: str, tmp_path: Path) -> None:
    code, text = run_case(name, tmp_path)
    assert code == GOLDEN[name]["exit"]
    old = json.loads(gzip.decompress((DATA / f"{name}.json.gz").read_bytes()))
    new = json.loads(text)
    same(new, old)
    assert text == json.dumps(new, indent=2, allow_nan=False) + "\n"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_jsonl_has_the_same_entries(name: str, tmp_path: Path) -> None:
    code, text = run_case(name, tmp_path, "--format", "jsonl")
    assert code == GOLDEN[name]["exit"]
    old = json.loads(gzip.decompress((DATA / f"{name}.json.gz").read_bytes()))
    lines = text.splitlines()
    assert text.endswith("\n") or text == ""
    records = [json.loads(line) for line in lines]
    for line, rec in zip(lines, records, strict=True):
        assert line == json.dumps(rec, allow_nan=False)  # compact, one object a line
    pairs = [r for r in records if "error" not in r]
    errors = [r["error"] for r in records if "error" in r]
    same(pairs, old["pairs"])
    assert errors == old["errors"]


# Run in a fresh interpreter, as the command runs: forking inside pytest, after earlier
# tests left threads behind (servers, task workers, pyarrow's pool), can deadlock a child.
_CHUNKED = """
import multiprocessing, os, sys
from dynamics import cli
cli.CHUNK, cli.PARALLEL_MIN = 5, 1
os.sched_getaffinity = lambda pid: {0, 1}
real = cli.mp.get_context
def counted(method):
    print("fork pool", file=sys.stderr)
    return real(method)
cli.mp.get_context = counted
raise SystemExit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name", ["pairs_default", "pairs_window", "solo_window", "pairs_times_prompt"])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_small_chunks_and_worker_processes_give_the_same_text(name: str, fmt: str, tmp_path: Path) -> None:
    """Streaming in chunks of 5 pairs, formatted by forked workers, changes no byte."""
    _, whole = run_case(name, tmp_path, "--format", fmt)
    case = GOLDEN[name]
    out = tmp_path / "chunked.out"
    argv = [case["argv"][0], str(ROOT / case["argv"][1]), *case["argv"][2:], "--out", str(out), "--format", fmt]
    done = subprocess.run(
        [sys.executable, "-c", _CHUNKED, *argv], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == GOLDEN[name]["exit"], done.stderr
    assert "fork pool" in done.stderr, "the text was formatted by worker processes"
    assert out.read_text(encoding="utf-8") == whole
