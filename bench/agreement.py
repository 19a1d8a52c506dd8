"""Agreement: ``fit_var1_arrays(method="ols")`` against statsmodels, pair by pair.

1,000 complete pairs (90 days) of random stationary VAR(1) processes, each fitted by
the engine in one batch and by ``statsmodels VAR(centred).fit(1, trend="c")`` in a
loop. The engine centres each person on their mean over the days they were observed
(here: all days), so statsmodels gets exactly that series. Target: the largest
absolute difference of the coefficients (params) and of their standard errors (bse)
is at most 1e-8.

    .venv/bin/python -m bench.agreement [--pairs 1000 --days 90 --seed 1]
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

import numpy as np

from bench._common import (
    MAX_RADIUS,
    Truth,
    md_table,
    report,
    simulate,
    spectral_radius,
    verdict,
)
from dynamics.coupling import fit_var1_arrays

TARGET = 1e-8


def random_truth(rng: np.random.Generator, p: int) -> tuple[Truth, np.ndarray]:
    """Broad random stationary VAR(1)s: every entry of A in [−0.9, 0.9] (redrawn while
    the spectral radius ≥ 0.95), residual sds in [0.5, 2], correlation in [−0.8, 0.8]."""
    a = np.empty((p, 2, 2))
    todo = np.arange(p)
    discarded = 0
    while todo.size:
        cand = rng.uniform(-0.9, 0.9, size=(todo.size, 2, 2))
        good = spectral_radius(cand) < MAX_RADIUS
        a[todo[good]] = cand[good]
        discarded += int((~good).sum())
        todo = todo[~good]
    rho = rng.uniform(-0.8, 0.8, size=p)
    mean = rng.uniform(1.0, 10.0, size=(p, 2))
    sd = rng.uniform(0.5, 2.0, size=(p, 2))
    return Truth(a=a, rho=rho, mean=mean, discarded=discarded), sd


def run(pairs: int = 1000, days: int = 90, seed: int = 1) -> dict[str, Any]:
    from statsmodels.tsa.api import VAR

    rng = np.random.default_rng(seed)
    truth, sd = random_truth(rng, pairs)
    y = simulate(rng, truth, days, sd=sd)

    t0 = time.perf_counter()
    res = fit_var1_arrays(y, method="ols")
    t_engine = time.perf_counter() - t0

    diff = {k: np.zeros(pairs) for k in ("params", "bse", "intercept", "sigma_u", "synchrony")}
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in range(pairs):
            centred = y[p] - y[p].mean(axis=0)  # the engine's centring (all days observed)
            sm = VAR(centred).fit(1, trend="c")
            diff["params"][p] = np.abs(res["coef"][p] - sm.params[1:].T).max()
            diff["bse"][p] = np.abs(res["se"][p] - sm.bse[1:].T).max()
            diff["intercept"][p] = np.abs(res["intercept"][p] - sm.params[0]).max()
            diff["sigma_u"][p] = np.abs(res["sigma_u"][p] - sm.sigma_u).max()
            r = np.corrcoef(sm.resid.T)[0, 1]
            diff["synchrony"][p] = abs(res["synchrony"][p] - r)
    t_sm = time.perf_counter() - t0

    rows = []
    for key, what in (
        ("params", "coef vs params[1:].T (the 4 lag coefficients)"),
        ("bse", "se vs bse[1:].T"),
        ("intercept", "intercept vs params[0] (extra)"),
        ("sigma_u", "sigma_u vs sigma_u (extra)"),
        ("synchrony", "synchrony vs corr(resid) (extra)"),
    ):
        d = diff[key]
        targeted = key in ("params", "bse")
        rows.append(
            {
                "quantity": key,
                "what": what,
                "max_abs_diff": float(np.nanmax(d)),
                "median_abs_diff": float(np.nanmedian(d)),
                "target": f"<= {TARGET:g}" if targeted else "-",
                "pass": bool(np.nanmax(d) <= TARGET) if targeted else None,
            }
        )
    return {
        "bench": "agreement",
        "pairs": pairs,
        "days": days,
        "seed": seed,
        "discarded_draws": truth.discarded,
        "all_ok": bool(res["ok"].all()),
        "n_lag": sorted({int(v) for v in res["n_lag"]}),
        "max_spectral_radius": float(spectral_radius(truth.a).max()),
        "engine_seconds": t_engine,
        "statsmodels_seconds": t_sm,
        "rows": rows,
        "pass": all(r["pass"] for r in rows if r["pass"] is not None),
    }


def markdown(r: dict[str, Any]) -> str:
    table = md_table(
        ["quantity", "compared", "max abs diff", "median abs diff", "target", "result"],
        [
            [
                x["quantity"],
                x["what"],
                f"{x['max_abs_diff']:.2e}",
                f"{x['median_abs_diff']:.2e}",
                x["target"],
                "-" if x["pass"] is None else verdict(x["pass"]),
            ]
            for x in r["rows"]
        ],
        align="llrrll",
    )
    notes = (
        f"{r['pairs']} complete pairs × {r['days']} days, seed {r['seed']}; A entries "
        f"uniform in [−0.9, 0.9] (spectral radius < 0.95, {r['discarded_draws']} draws "
        f"redrawn, largest kept {r['max_spectral_radius']:.3f}), residual sds 0.5–2, "
        f"residual correlation −0.8–0.8. All pairs ok: {r['all_ok']}; lag pairs per pair: "
        f"{r['n_lag']}. Engine {r['engine_seconds']:.3f} s for the batch; statsmodels "
        f"{r['statsmodels_seconds']:.1f} s for the loop."
    )
    return f"{table}\n\n{notes}\n\n**Agreement: {verdict(r['pass'])}**"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.agreement", description=__doc__)
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the results as JSON to this file")
    args = ap.parse_args(argv)
    return report(run(args.pairs, args.days, args.seed), markdown, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
