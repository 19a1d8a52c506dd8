"""``dynamics`` stands on its own: it never imports Django or Individuate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, pkgutil, importlib, sys
import dynamics
names = ["dynamics"] + [m.name for m in pkgutil.walk_packages(dynamics.__path__, "dynamics.")
                        if ".tests" not in m.name]
for name in names:
    importlib.import_module(name)
import dynamics.cli, dynamics.io
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""


def test_dynamics_imports_neither_django_nor_individuate() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT)},
    )
    found = json.loads(proc.stdout)
    assert "dynamics.coupling.var1" in found["modules"] and "dynamics.cli" in found["modules"]
    leaked = [m for m in found["loaded"] if m.split(".")[0] in {"django", "individuate"}]
    assert leaked == []


def test_no_source_file_mentions_them_in_an_import() -> None:
    for path in (ROOT / "dynamics").rglob("*.py"):
        if "tests" in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1:
                assert words[1].split(".")[0] not in {"django", "individuate"}, f"{path}: {line}"


def test_public_names_of_dynamics_coupling() -> None:
    import dynamics.coupling as coupling

    # every public (non-underscore) name of the single-module coupling.py it replaced
    for name in (
        "CHUNK_PAIRS", "MIN_LAG_PAIRS", "MIN_PSEUDO_BATCH", "MIN_SHIFT", "Effect", "PairResult", "Window",
        "fit_pairs", "fit_solo", "fit_var1_arrays", "BoolArray", "FloatArray", "COLLINEAR_TOL", "CONSTANT_TOL",
        "MAX_SURROGATES", "MIN_PSEUDO_DRAWS", "MIN_SURROGATES", "N_PSEUDO_PAIRS",
    ):  # fmt: skip
        assert name in coupling.__all__ and hasattr(coupling, name)
