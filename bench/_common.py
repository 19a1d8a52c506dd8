"""Shared pieces of the benches: simulation with known truth, tables, machine facts."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Draws whose coefficient matrix has a spectral radius at or above this are redrawn.
MAX_RADIUS = 0.95
#: Days simulated (from zero) and thrown away before the observed days.
BURN_IN = 100


@dataclass
class Truth:
    """Known parameters of P simulated pairs."""

    a: FloatArray  # (P, 2, 2): a[p, i, j] = effect of person j yesterday on person i today
    rho: FloatArray  # (P,) correlation of the same-day residuals (residual sd 1)
    mean: FloatArray  # (P, 2) each person's level
    discarded: int  # draws redrawn because their spectral radius was ≥ MAX_RADIUS


def spectral_radius(a: FloatArray) -> FloatArray:
    return np.abs(np.linalg.eigvals(a)).max(axis=1)


def draw_truth(
    rng: np.random.Generator,
    p: int,
    *,
    inertia: tuple[float, float] = (0.2, 0.6),
    cross: tuple[float, float] = (0.0, 0.3),
    rho: tuple[float, float] = (0.0, 0.4),
) -> Truth:
    """Parameters drawn uniformly per pair; A redrawn while its spectral radius ≥ 0.95."""
    a = np.empty((p, 2, 2))
    todo = np.arange(p)
    discarded = 0
    while todo.size:
        k = todo.size
        cand = np.empty((k, 2, 2))
        cand[:, 0, 0] = rng.uniform(*inertia, size=k)
        cand[:, 1, 1] = rng.uniform(*inertia, size=k)
        cand[:, 1, 0] = rng.uniform(*cross, size=k)  # a -> b
        cand[:, 0, 1] = rng.uniform(*cross, size=k)  # b -> a
        good = spectral_radius(cand) < MAX_RADIUS
        a[todo[good]] = cand[good]
        discarded += int((~good).sum())
        todo = todo[~good]
    r = rng.uniform(*rho, size=p)
    mean = rng.uniform(3.0, 7.0, size=(p, 2))
    return Truth(a=a, rho=r, mean=mean, discarded=discarded)


def simulate(
    rng: np.random.Generator,
    truth: Truth,
    days: int,
    *,
    sd: FloatArray | None = None,
    burn: int = BURN_IN,
) -> FloatArray:
    """(P, days, 2) series of y_t = A y_{t-1} + u_t (+ each person's level), all pairs at
    once. u_t has sd 1 (or ``sd`` (P, 2)) and correlation ``truth.rho``; the series starts
    at 0 and the first ``burn`` days are dropped."""
    a, rho = truth.a, truth.rho
    p = a.shape[0]
    n = burn + days
    z = rng.standard_normal((p, n, 2))
    u0 = z[:, :, 0]
    u1 = rho[:, None] * z[:, :, 0] + np.sqrt(1.0 - rho**2)[:, None] * z[:, :, 1]
    if sd is not None:
        u0 = u0 * sd[:, 0, None]
        u1 = u1 * sd[:, 1, None]
    a00, a01, a10, a11 = (a[:, i, j].copy() for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)))
    y = np.empty((p, days, 2))
    x0 = np.zeros(p)
    x1 = np.zeros(p)
    for t in range(n):
        x0, x1 = a00 * x0 + a01 * x1 + u0[:, t], a10 * x0 + a11 * x1 + u1[:, t]
        if t >= burn:
            y[:, t - burn, 0] = x0
            y[:, t - burn, 1] = x1
    return y + truth.mean[:, None, :]


def drop_days(rng: np.random.Generator, y: FloatArray, fraction: float) -> FloatArray:
    """Copy of ``y`` with exactly round(fraction × T) days per pair, chosen uniformly at
    random without replacement, missing for *both* persons (the pair's day is gone)."""
    p, t_len, _ = y.shape
    k = round(fraction * t_len)
    out = y.copy()
    if k == 0:
        return out
    gone = np.argpartition(rng.random((p, t_len)), k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(p), k)
    out[rows, gone.ravel(), :] = np.nan
    return out


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> str:
    """A markdown table; ``align`` is one character per column (l/r), default right."""
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---" if c == "l" else "---:" for c in align]
    lines = ["| " + " | ".join(str(h) for h in header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def write_json(path: str | None, payload: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(payload, indent=2, default=float))


def checks_table(checks: Sequence[dict[str, Any]]) -> str:
    """The PASS/FAIL table of a bench's targets (``what``, ``value``, ``target``, ``pass``)."""
    return md_table(
        ["measure", "value", "target", "result"],
        [[c["what"], c["value"], c["target"], verdict(c["pass"])] for c in checks],
        align="lrll",
    )


def report(r: dict[str, Any], markdown: Callable[[dict[str, Any]], str], json_path: str | None) -> int:
    """Print a bench's markdown, write its JSON; exit status 0 if every target passed."""
    r["markdown"] = markdown(r)
    print(r["markdown"])
    write_json(json_path, r)
    return 0 if r["pass"] else 1


def _openblas_runtime() -> str:
    """Core type and threads OpenBLAS chose at run time (what threadpoolctl would say),
    read through ctypes from the OpenBLAS numpy ships; '' if that is not possible."""
    import ctypes
    import glob

    libs = glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*.so*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas_", "64_"), ("openblas_", "64_"), ("openblas_", "")):
            try:
                core = getattr(lib, f"{prefix}get_corename{suffix}")
                threads = getattr(lib, f"{prefix}get_num_threads{suffix}")
            except AttributeError:
                continue
            core.restype = ctypes.c_char_p
            threads.restype = ctypes.c_int
            return f"runtime core {core().decode()}, {threads()} threads"
    return ""


def blas_summary() -> str:
    """The BLAS numpy uses: threadpoolctl if installed, else numpy's build config (and
    OpenBLAS's run-time core type read through ctypes)."""
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-not-found]

        libs = [
            f"{i.get('internal_api')} {i.get('version')} ({i.get('threading_layer')}, "
            f"{i.get('num_threads')} threads, {i.get('architecture')})"
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        ]
        if libs:
            return "; ".join(libs) + " [threadpoolctl]"
    except ImportError:
        pass
    try:
        cfg = np.show_config(mode="dicts")  # type: ignore[func-returns-value]
        blas = cfg["Build Dependencies"]["blas"]
        runtime = _openblas_runtime()
        return (
            f"{blas.get('name')} {blas.get('version')}"
            + (f" — {runtime}" if runtime else "")
            + f" (build: {' '.join(str(blas.get('openblas configuration', 'n/a')).split())})"
            " [numpy.show_config; threadpoolctl not installed]"
        )
    except Exception as exc:  # pragma: no cover - depends on the numpy build
        return f"unknown ({exc})"


def machine() -> dict[str, str]:
    import scipy

    try:
        import statsmodels

        sm_version = statsmodels.__version__
    except ImportError:
        sm_version = "not installed"
    mem = "unknown"
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
        mem = f"{kib / 2**20:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    threads_env = os.environ.get("OPENBLAS_NUM_THREADS", "(not set)")
    omp_env = os.environ.get("OMP_NUM_THREADS", "(not set)")
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores (os.cpu_count)": str(os.cpu_count()),
        "usable cores (sched_getaffinity)": str(len(os.sched_getaffinity(0))),
        "memory": mem,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "statsmodels": sm_version,
        "BLAS": blas_summary(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(not set)"),
        "OPENBLAS_NUM_THREADS / OMP_NUM_THREADS": f"{threads_env} / {omp_env}",
    }


def write_section(name: str, text: str) -> None:
    """Put ``text`` (starting ``## name —``) into bench/RESULTS.md in place of that
    section, or at the end; every other section stays as it is."""
    results = Path(__file__).resolve().parent / "RESULTS.md"
    current = results.read_text() if results.exists() else "# Benchmarks\n"
    start = current.find(f"## {name} —")
    if start >= 0:
        end = current.find("\n## ", start + 1)
        current = current[:start] + current[end + 1 :] if end >= 0 else current[:start]
    results.write_text(current.rstrip() + "\n\n" + text.rstrip() + "\n")
