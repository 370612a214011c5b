"""The driver diagram as an accessible SVG: the aim, primary drivers, secondary
drivers and change ideas from left to right, each change idea with its figures
(teams, cycles, decisions, the adopters' median before and after).

Plain string building with escaping, like the charts: a few dozen elements,
parsed as XML in the tests. Retired nodes stay, dashed and greyed, because the
diagram keeps its history.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from statistics import median
from xml.sax.saxutils import escape

from projections.change_ideas import ChangeIdeaFigures, DiagramNode, DriverDiagramView

ROW, GAP, TOP, PAD = 92, 12, 56, 16
COLUMNS = {
    "aim": (16, 190),
    "primary_driver": (230, 200),
    "secondary_driver": (454, 200),
    "change_idea": (678, 300),
}
WIDTH = 994
INK, MUTED, LINE = "#1f2937", "#4b5563", "#6b7280"
FILL = {
    "aim": "#1e3a8a",
    "primary_driver": "#dbeafe",
    "secondary_driver": "#e0f2fe",
    "change_idea": "#ffffff",
}


def fmt_value(value: float | None, data_type: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.0f}%" if data_type == "proportion" else f"{value:.3g}"


def decisions_line(f: ChangeIdeaFigures) -> str:
    return f"adopt {f.adopt} · adapt {f.adapt} · abandon {f.abandon}"


def tested_line(f: ChangeIdeaFigures) -> str:
    return (
        f"{f.teams_tested} team{'s' * (f.teams_tested != 1)} · {f.cycles} PDSA cycle{'s' * (f.cycles != 1)}"
    )


def result_line(f: ChangeIdeaFigures) -> str:
    """The adopters' measure most of them share: the median of their medians, before and after."""
    if not f.results:
        return "no adoption results yet"
    key = Counter(r.measure_key for r in f.results).most_common(1)[0][0]
    same = [r for r in f.results if r.measure_key == key]
    befores = [r.before_median for r in same if r.before_median is not None]
    afters = [r.after_median for r in same if r.after_median is not None]
    low, high = (median(v) if v else None for v in (befores, afters))
    kind = same[0].data_type
    return f"{key}: {fmt_value(low, kind)} → {fmt_value(high, kind)} ({len(same)} adopting)"


def render_driver_diagram(view: DriverDiagramView, title: str) -> str:
    """The change package as an SVG document."""
    rows, body = _layout(view)
    height = TOP + max(rows, 1) * ROW + PAD
    aim = view.aim or "(no aim yet)"
    body.insert(
        0, _box("aim", TOP, TOP + max(rows, 1) * ROW - GAP, aim, [], tooltip=f"Aim: {aim}", dark=True)
    )
    summary = f"{len(view.change_ideas())} change ideas under {len(view.primary_drivers)} primary drivers"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="dd-title dd-desc" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="dd-title">{escape(title)}</title><desc id="dd-desc">{escape(summary)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        f'<text x="16" y="24" font-size="15" font-weight="600" fill="{INK}">{escape(title)}</text>'
        f'<text x="16" y="42" fill="{MUTED}">Aim → primary drivers → secondary drivers → change ideas '
        f"(with what the teams' PDSA cycles found)</text>" + "".join(body) + "</svg>"
    )


def _layout(view: DriverDiagramView) -> tuple[int, list[str]]:
    """Each change idea (or childless driver) takes a row; a driver spans its children's rows."""
    body: list[str] = []
    row = 0
    for primary in view.primary_drivers:
        first = row
        for secondary in primary.children:
            start = row
            for idea in secondary.children:
                body += [_idea(idea, row), _link("secondary_driver", row, row + 1)]
                row += 1
            row = max(row, start + 1)
            body += [_node(secondary, start, row), _link("primary_driver", start, row)]
        row = max(row, first + 1)
        body += [_node(primary, first, row), _link("aim", first, row)]
    return row, body


def _top(row: int) -> float:
    return TOP + row * ROW


def _node(node: DiagramNode, first: int, end: int) -> str:
    return _box(node.kind.value, _top(first), _top(end) - GAP, node.name, [], node=node)


def _idea(idea: DiagramNode, row: int) -> str:
    f = idea.figures or ChangeIdeaFigures()
    lines = [tested_line(f), decisions_line(f), result_line(f)]
    return _box("change_idea", _top(row), _top(row + 1) - GAP, idea.name, lines, node=idea)


def _box(
    column: str, y0: float, y1: float, name: str, lines: list[str], node: DiagramNode | None = None,
    tooltip: str | None = None, dark: bool = False,
) -> str:  # fmt: skip
    x, width = COLUMNS[column]
    retired = node is not None and node.retired
    label = name + (" (retired)" if retired else "")
    # Bold 12px text runs about 7px a character; a driver's name gets as many lines as its box holds.
    room = 2 if lines else max(1, int((y1 - y0 - 8) // 15))
    heading = textwrap.wrap(label, width=int((width - 20) / 7), max_lines=room, placeholder="…")
    texts = [(t, True) for t in heading] + [(t, False) for t in lines]
    top = (y0 + y1) / 2 - (len(texts) - 1) * 7.5 + 4
    ink = "#ffffff" if dark else (MUTED if retired else INK)
    spans = "".join(
        _text(x + 10, top + i * 15, t, ink if bold else MUTED, bold) for i, (t, bold) in enumerate(texts)
    )
    dash = ' stroke-dasharray="5 4"' if retired else ""
    fill = "#f3f4f6" if retired else FILL[column]
    return (
        f'<g class="node {column}{" retired" if retired else ""}"><title>{escape(tooltip or _tooltip(name, node, lines))}'
        f'</title><rect x="{x}" y="{y0:.1f}" width="{width}" height="{y1 - y0:.1f}" rx="6" fill="{fill}" '
        f'stroke="{LINE}"{dash}/>{spans}</g>'
    )


def _text(x: float, y: float, text: str, fill: str, bold: bool) -> str:
    weight = ' font-weight="600"' if bold else ""
    return f'<text x="{x}" y="{y:.1f}" fill="{fill}"{weight}>{escape(text)}</text>'


def _tooltip(name: str, node: DiagramNode | None, lines: list[str]) -> str:
    parts = [name]
    if node is not None and node.description:
        parts.append(node.description)
    if node is not None and node.retired:
        parts.append(f"retired: {node.retired_reason}")
    return " — ".join(parts + lines)


_CHILD = {"aim": "primary_driver", "primary_driver": "secondary_driver", "secondary_driver": "change_idea"}


def _link(parent: str, first: int, end: int) -> str:
    """A connector from the parent's right edge to the middle of the child spanning rows first..end."""
    x, width = COLUMNS[parent]
    y = (_top(first) + _top(end) - GAP) / 2
    return f'<path d="M{x + width},{y:.1f} H{COLUMNS[_CHILD[parent]][0]}" fill="none" stroke="{LINE}" stroke-width="1.5"/>'
