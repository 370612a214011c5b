"""The driver diagram as an accessible SVG: the aim, primary drivers, secondary
drivers and change ideas from left to right, each change idea with its figures
(teams, cycles, decisions, the adopters' median before and after).

Plain string building with escaping, like the charts: a few dozen elements,
parsed as XML in the tests. Every box is as tall as its text, wrapped at the
measured width of its column (diagram_layout). Retired nodes stay, dashed and
greyed, because the diagram keeps its history.
"""

from __future__ import annotations

from collections import Counter
from statistics import median
from xml.sax.saxutils import escape, quoteattr

from adapters.charts.diagram_layout import COLUMNS, PAD_X, WIDTH, Cell, Rows, baselines, cell, fit_rows
from adapters.charts.text import FONT_FAMILY, ellipsise, wrap
from aggregates.change_package import NodeKind
from projections.change_ideas import ChangeIdeaFigures, DiagramNode, DriverDiagramView

TITLE_SIZE, TITLE_LINE, TITLE_LINES, PAD = 15, 19, 2, 16
SUBTITLE = "Aim → primary drivers → secondary drivers → change ideas (with what the teams' PDSA cycles found)"
INK, MUTED, LINE = "#1f2937", "#4b5563", "#6b7280"
FILL = {
    "aim": "#1e3a8a",
    "primary_driver": "#dbeafe",
    "secondary_driver": "#e0f2fe",
    "change_idea": "#ffffff",
}


def fmt_value(value: float | None, data_type: str) -> str:
    """A figure as people read it: a proportion in whole percent, anything else to three digits."""
    if value is None:
        return "—"
    return f"{value * 100:.0f}%" if data_type == "proportion" else f"{value:.3g}"


def decisions_line(f: ChangeIdeaFigures) -> str:
    """What the teams decided after their cycles."""
    return f"adopt {f.adopt} · adapt {f.adapt} · abandon {f.abandon}"


def tested_line(f: ChangeIdeaFigures) -> str:
    """How many teams tested the idea, in how many cycles."""
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
    heading = wrap(title, WIDTH - 2 * PAD, TITLE_SIZE, bold=True, max_lines=TITLE_LINES) or [""]
    subtitle_y = 24 + (len(heading) - 1) * TITLE_LINE + 18
    count, cells = _cells(view)
    rows = fit_rows(cells, count, top=subtitle_y + 14)
    height = f"{rows.bottom + PAD:.0f}"
    summary = f"{len(view.change_ideas())} change ideas under {len(view.primary_drivers)} primary drivers"
    lines = "".join(
        f'<text class="title" x="{PAD}" y="{24 + i * TITLE_LINE}" font-size="{TITLE_SIZE}" font-weight="600" '
        f'fill="{INK}">{escape(line)}</text>'
        for i, line in enumerate(heading)
    )
    body = [_link(c, rows) for c in cells if c.column != "aim"] + [_box(c, rows, view) for c in cells]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label={quoteattr(title)} font-family="{FONT_FAMILY}" font-size="12">'
        f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>{lines}'
        f'<text x="{PAD}" y="{subtitle_y}" fill="{MUTED}">{escape(ellipsise(SUBTITLE, WIDTH - 2 * PAD, 12))}</text>'
        + "".join(body)
        + "</svg>"
    )


def _cells(view: DriverDiagramView) -> tuple[int, list[Cell]]:
    """Each change idea (or childless driver) takes a row; a driver spans its children's rows."""
    cells: list[Cell] = []
    row = 0
    for primary in view.primary_drivers:
        first = row
        for secondary in primary.children:
            start = row
            for idea in secondary.children:
                cells.append(_idea(idea, row))
                row += 1
            row = max(row, start + 1)
            cells.append(_node(secondary, start, row))
        row = max(row, first + 1)
        cells.append(_node(primary, first, row))
    cells.insert(0, cell("aim", 0, max(row, 1), view.aim or "(no aim yet)"))
    return row, cells


def _label(node: DiagramNode) -> str:
    return node.name + (" (retired)" if node.retired else "")


def _node(node: DiagramNode, first: int, end: int) -> Cell:
    return cell(node.kind.value, first, end, _label(node), node=node)


def _idea(idea: DiagramNode, row: int) -> Cell:
    return cell("change_idea", row, row + 1, _label(idea), _figure_lines(idea), node=idea)


def _figure_lines(node: DiagramNode) -> list[str]:
    """What the teams' cycles found, for a change idea; nothing for a driver."""
    if node.kind != NodeKind.CHANGE_IDEA:
        return []
    f = node.figures or ChangeIdeaFigures()
    return [tested_line(f), decisions_line(f), result_line(f)]


def _box(c: Cell, rows: Rows, view: DriverDiagramView) -> str:
    """A cell as a titled group: its rectangle and its lines, the heading in bold."""
    node, dark = c.node, c.column == "aim"
    retired = node is not None and node.retired
    ink = "#ffffff" if dark else (MUTED if retired else INK)
    spans = "".join(
        _text(c.x + PAD_X, y, text, ink if bold else MUTED, bold)
        for y, (text, bold) in zip(baselines(c, rows), c.lines, strict=True)
    )
    tooltip = f"Aim: {view.aim or '(no aim yet)'}" if dark or node is None else _tooltip(node)
    y0, y1 = rows.y0(c.first), rows.y1(c.end)
    dash = ' stroke-dasharray="5 4"' if retired else ""
    fill = "#f3f4f6" if retired else FILL[c.column]
    return (
        f'<g class="node {c.column}{" retired" if retired else ""}"><title>{escape(tooltip)}</title>'
        f'<rect x="{c.x}" y="{y0:.1f}" width="{c.width}" height="{y1 - y0:.1f}" rx="6" fill="{fill}" '
        f'stroke="{LINE}"{dash}/>{spans}</g>'
    )


def _text(x: float, y: float, text: str, fill: str, bold: bool) -> str:
    weight = ' font-weight="600"' if bold else ""
    return f'<text x="{x}" y="{y:.1f}" fill="{fill}"{weight}>{escape(text)}</text>'


def _tooltip(node: DiagramNode) -> str:
    parts = [node.name]
    if node.description:
        parts.append(node.description)
    if node.retired:
        parts.append(f"retired: {node.retired_reason}")
    return " — ".join(parts + _figure_lines(node))


_PARENT = {"primary_driver": "aim", "secondary_driver": "primary_driver", "change_idea": "secondary_driver"}


def _link(c: Cell, rows: Rows) -> str:
    """A connector from the parent's right edge to the middle of the child's left edge."""
    x, width = COLUMNS[_PARENT[c.column]]
    y = (rows.y0(c.first) + rows.y1(c.end)) / 2
    return f'<path d="M{x + width},{y:.1f} H{c.x}" fill="none" stroke="{LINE}" stroke-width="1.5"/>'
