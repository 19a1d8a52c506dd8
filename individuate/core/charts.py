"""Shared chart styling: matplotlib drawing inline SVG (text stays text).

Every chart comes with a text alternative in its template (a table), and the
SVG itself is marked decorative for screen readers.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import threading
from collections.abc import Callable
from typing import ParamSpec

import matplotlib
from django.core.cache import cache

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TEAL, PLUM, TEXT, MUTED, LINE = "#0f5e5a", "#6b2f5f", "#2b2623", "#5f5650", "#e4dad0"
AMBER, RED = "#9a6700", "#a3302a"
BAND_COLOURS = ["#e9f4ec", "#f3f7e6", "#fdf3dc", "#fde7d6", "#fdecea", "#f8dcdc"]

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        # Labels are people's own words ("my mother", or "$\frac{1}{$"): plain text, never mathtext.
        "text.parse_math": False,
        "text.usetex": False,
        "font.family": "sans-serif",
        "font.size": 11,  # about 14 px on a phone; the CSS keeps charts from growing much larger
        "axes.edgecolor": LINE,
        "axes.labelcolor": MUTED,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


P = ParamSpec("P")
_DRAWING = threading.Lock()
#: How long a drawn chart is kept: it holds a person's data, so not long (an hour).
CHART_TTL = 3600


def cached_chart(draw: Callable[P, str]) -> Callable[P, str]:
    """A chart is a pure function of its data: draw it once per distinct data and keep
    the SVG in the cache for :data:`CHART_TTL` (keyed by a hash of the data and of the
    drawing code, so a new check-in or a new release draws afresh). Drawing is one at a
    time per process: pyplot keeps global state and is not safe across threads."""
    code = draw.__code__
    version = hashlib.sha256(repr((code.co_code, code.co_consts)).encode()).hexdigest()[:12]
    name = f"{draw.__module__}.{draw.__qualname__}:{version}"

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> str:
        key = "chart:" + hashlib.sha256(repr((name, args, sorted(kwargs.items()))).encode()).hexdigest()
        svg = cache.get(key)
        if not isinstance(svg, str):
            with _DRAWING:
                svg = draw(*args, **kwargs)
            cache.set(key, svg, CHART_TTL)
        return svg

    return wrapper


def svg_of(fig: plt.Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", transparent=True)
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # Scale to the container (CSS sizes it by its viewBox; "auto" is not a valid SVG
    # height); decorative for assistive tech (the table says the same).
    svg = re.sub(r'width="[^"]+" height="[^"]+"', 'width="100%"', svg, count=1)
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" class="chart" ', 1)
