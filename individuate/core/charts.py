"""Shared chart styling: matplotlib drawing inline SVG (text stays text).

Every chart comes with a text alternative in its template (a table), and the
SVG itself is marked decorative for screen readers.
"""

from __future__ import annotations

import io
import re

import matplotlib

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
