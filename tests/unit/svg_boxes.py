"""Measuring an SVG's text in tests: each <text>'s box from the font metrics the
SVG declares (anchor and rotation applied), to check nothing spills out of the chart."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from adapters.charts.text import text_width

NS = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Box:
    """The measured extent of one text element (or a rect), in viewBox pixels."""

    left: float
    top: float
    right: float
    bottom: float
    text: str = ""

    def inside(self, other: Box) -> bool:
        return (
            self.left >= other.left - 0.01
            and self.right <= other.right + 0.01
            and self.top >= other.top - 0.01
            and self.bottom <= other.bottom + 0.01
        )


def texts(element: ET.Element, inherited: dict[str, str] | None = None) -> Iterator[Box]:
    """Every <text> under element with its measured extent, font size and weight inherited as SVG does."""
    style = dict(inherited or {})
    style.update({k: v for k, v in element.attrib.items() if k in ("font-size", "font-weight")})
    if element.tag == f"{NS}text":
        yield _extent(element, float(style["font-size"]), style.get("font-weight") in ("600", "bold"))
        return
    for child in element:
        if child.tag != f"{NS}title":
            yield from texts(child, style)


def _extent(element: ET.Element, size: float, bold: bool) -> Box:
    text = "".join(element.itertext())
    width = text_width(text, size, bold)
    x, y = float(element.get("x", 0)), float(element.get("y", 0))
    shift = {"start": 0.0, "middle": width / 2, "end": width}[element.get("text-anchor", "start")]
    # Helvetica's ascender and descender: 0.718 and 0.207 of the size.
    corners = [(x - shift + dx, y + dy) for dx in (0, width) for dy in (-0.718 * size, 0.207 * size)]
    transform = element.get("transform")
    if transform:
        angle, cx, cy = (float(v) for v in transform.removeprefix("rotate(").rstrip(")").split())
        corners = [_rotate(point, angle, cx, cy) for point in corners]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return Box(min(xs), min(ys), max(xs), max(ys), text)


def _rotate(point: tuple[float, float], degrees: float, cx: float, cy: float) -> tuple[float, float]:
    a = math.radians(degrees)
    dx, dy = point[0] - cx, point[1] - cy
    return cx + dx * math.cos(a) - dy * math.sin(a), cy + dx * math.sin(a) + dy * math.cos(a)


def view_box(root: ET.Element) -> Box:
    _, _, width, height = (float(v) for v in (root.get("viewBox") or "").split())
    return Box(0, 0, width, height)
