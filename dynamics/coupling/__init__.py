"""How strongly one person's daily mood follows another's — with an honest error bar.

The model is a bivariate VAR(1) on person-mean-centred daily series (the lagged
actor–partner interdependence model of dyadic diary research). For a pair (a, b)::

    y_t = c + A y_{t-1} + u_t,     y_t = (a_t, b_t) minus each person's own mean

``A[i, j]`` is the effect of person ``j`` yesterday on person ``i`` today: ``A[0, 0]``
and ``A[1, 1]`` are inertia (mood carrying over), ``A[1, 0]`` is the cross-lagged
effect a → b and ``A[0, 1]`` is b → a. Synchrony is the correlation of the two
persons' same-day residuals ``u_t``.

Rules that matter for honesty (see ``dynamics/README.md`` for the long version):

* **Missing days are never filled in.** A row of the regression is a *valid lag
  pair*: day t and day t−1 both observed for both persons. A gap (missing day,
  or an unequal spacing between check-ins) therefore simply yields no lag pair.
* **Centring** subtracts each person's mean over the days they were observed.
* ``method="ols"`` reproduces statsmodels ``VAR(data).fit(1)`` (trend "c") exactly:
  ``sigma_u = U'U/(n - k)`` with k = 3, ``se = sqrt(diag(kron(sigma_u, inv(X'X))))``.
* ``method="corrected"`` (default) removes the short-series (Nickell/Kendall)
  bias of the autoregression with the analytic Nicholls–Pope (1988) / Pope (1990)
  approximation, iterated once, with Kilian's (1998) stationarity adjustment.
  Standard errors and synchrony stay the OLS ones.
* Fewer than :data:`MIN_LAG_PAIRS` valid lag pairs, or a constant series, gives a
  warning and *no numbers* (``None``) for the effects it affects.

Everything numerical is vectorised over pairs: the hot path works on arrays shaped
``(P, T, 2)`` in chunks of :data:`CHUNK_PAIRS` pairs, with batched 2 × 2 algebra.

The package, layer by layer (each module imports only the ones above it):

* :mod:`.var1` — the numerics (arrays in, arrays out): :func:`fit_var1_arrays`;
* :mod:`.results` — the typed results (:class:`PairResult`, :class:`Effect`,
  :class:`Window`, the ``*JSON`` TypedDicts) and the streaming JSON writer;
* :mod:`.wording` — the English sentences of the interpretations;
* :mod:`.chance` — ``exceeds_chance``: pseudo-pairs and time-shifted surrogates;
* :mod:`.windows` — rolling windows and the first-vs-last ``change`` test;
* :mod:`.pairs`, :mod:`.solo` — the batch fitters :func:`fit_pairs`, :func:`fit_solo`
  and their streaming forms :func:`iter_pair_records`, :func:`iter_solo_records`.
"""

from __future__ import annotations

from .chance import MAX_SURROGATES, MIN_PSEUDO_BATCH, MIN_PSEUDO_DRAWS, MIN_SHIFT, MIN_SURROGATES, N_PSEUDO_PAIRS
from .pairs import fit_pairs, iter_pair_records
from .results import (
    ChangeJSON,
    Effect,
    EffectJSON,
    ErrorJSON,
    PairJSON,
    PairRecord,
    PairResult,
    Window,
    WindowJSON,
)
from .solo import fit_solo, iter_solo_records
from .var1 import (
    CHUNK_PAIRS,
    COLLINEAR_TOL,
    CONSTANT_TOL,
    MIN_LAG_PAIRS,
    BoolArray,
    FloatArray,
    Var1Arrays,
    fit_var1_arrays,
)

__all__ = [
    "CHUNK_PAIRS",
    "COLLINEAR_TOL",
    "CONSTANT_TOL",
    "MAX_SURROGATES",
    "MIN_LAG_PAIRS",
    "MIN_PSEUDO_BATCH",
    "MIN_PSEUDO_DRAWS",
    "MIN_SHIFT",
    "MIN_SURROGATES",
    "N_PSEUDO_PAIRS",
    "BoolArray",
    "FloatArray",
    "ChangeJSON",
    "Effect",
    "EffectJSON",
    "ErrorJSON",
    "PairJSON",
    "PairRecord",
    "PairResult",
    "Var1Arrays",
    "Window",
    "WindowJSON",
    "fit_pairs",
    "fit_solo",
    "fit_var1_arrays",
    "iter_pair_records",
    "iter_solo_records",
]
