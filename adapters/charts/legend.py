"""The chart's key, under the plot: a glyph and a few words for every shape, line and
colour this chart actually draws (and nothing it does not), wrapped to the width.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from adapters.charts.frame import BASELINE, GOAL, INK, MUTED, PDSA, RUNS, TITLE_X, Layer
from adapters.charts.glyphs import POINT_KINDS, point_shape, star
from adapters.charts.text import ellipsise, text_width

# In the order the key lists them: the data, then the levels, then what happened.
ORDER = (
    "point", "signal-outside", "signal-shift", "signal-trend", "excluded", "gap",
    "centre", "centre-runs", "limit", "goal", "baseline", "pdsa", "phase", "annotation",
)  # fmt: skip
WORDS = {
    "point": "Month's value",
    "signal-outside": "Outside the limits",
    "signal-shift": "Shift: 6+ on one side",
    "signal-trend": "Trend: 5+ up or down",
    "excluded": "Left out of the limits",
    "gap": "No data that month",
    "limit": "Control limits",
    "goal": "Goal",
    "baseline": "Baseline months",
    "pdsa": "PDSA cycle",
    "phase": "Phase change",
    "annotation": "Annotation",
}
ROW, GLYPH, SPACING = 20, 18, 20


def legend(used: Iterable[str], centre: str, width: float, top: float) -> tuple[Layer, float]:
    """The key of the used entries from `top` down (`centre` names the centre line: "Median"), and its bottom."""
    keys = [key for key in ORDER if key in set(used)]
    words = WORDS | {"centre": centre, "centre-runs": f"{centre}: non-random runs"}
    out, x, y = [], float(TITLE_X), top + 12
    for key in keys:
        label = ellipsise(words[key], width - 2 * TITLE_X - GLYPH - 6, 12)
        item = GLYPH + 6 + text_width(label, 12)
        if x > TITLE_X and x + item > width - TITLE_X:
            x, y = float(TITLE_X), y + ROW
        out.append(
            f'<g class="legend-item" data-key="{key}">{_glyph(key, x + GLYPH / 2, y - 4)}'
            f'<text x="{x + GLYPH + 6:.1f}" y="{y:.1f}" fill="{INK}">{escape(label)}</text></g>'
        )
        x += item + SPACING
    if not out:
        return Layer(""), top
    return Layer(f'<g class="legend">{"".join(out)}</g>'), y + 8


def _glyph(key: str, x: float, y: float) -> str:
    if key in POINT_KINDS:
        return point_shape(key, x, y)
    if key == "gap":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#ffffff" stroke="{MUTED}"/>'
    if key == "annotation":
        return star(x, y)
    if key == "baseline":
        return f'<rect x="{x - 8:.1f}" y="{y - 6:.1f}" width="16" height="12" fill="{BASELINE}" stroke="{MUTED}"/>'
    if key in ("pdsa", "phase"):
        colour, dash = (PDSA, ' stroke-dasharray="4 3"') if key == "pdsa" else (MUTED, "")
        return f'<line x1="{x:.1f}" y1="{y - 7:.1f}" x2="{x:.1f}" y2="{y + 7:.1f}" stroke="{colour}" stroke-width="1.5"{dash}/>'
    colour, dash = {
        "centre": (INK, ""),
        "centre-runs": (RUNS, ""),
        "limit": (MUTED, ' stroke-dasharray="5 4"'),
        "goal": (GOAL, ""),
    }[key]
    return f'<line x1="{x - 8:.1f}" y1="{y:.1f}" x2="{x + 8:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="2"{dash}/>'
