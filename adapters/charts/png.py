"""A chart's SVG as a PNG, for the exports, slides and e-mail that cannot show SVG.

vl-convert-python renders it (its svg_to_png runs resvg, the Rust SVG renderer, inside the
wheel: no Cairo or other system library). It also bundles Liberation Sans, one of the faces
FONT_FAMILY names (adapters.charts.text) and metric-compatible with Helvetica, so the text is
drawn at the widths it was laid out with even in the python:slim image, which has no fonts.
"""

from __future__ import annotations

import math
import re

import vl_convert

MAX_SCALE = 8.0
# 500 teams' small multiples at scale 2 are 81 million pixels (27 MB of PNG, 4 s); past this
# cap a request would hold gigabytes of raster, so it is refused before drawing.
MAX_PIXELS = 120_000_000
_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """The SVG rasterised at `scale` device pixels per SVG pixel (2: sharp on a high-density screen)."""
    if not (math.isfinite(scale) and 0 < scale <= MAX_SCALE):
        raise ValueError(f"the scale is above 0 and at most {MAX_SCALE:g}, not {scale}")
    if not svg.lstrip().startswith("<"):
        raise ValueError("that is not an SVG document")
    size = _SIZE.search(svg[:4000])
    if size and float(size[1]) * float(size[2]) * scale**2 > MAX_PIXELS:
        raise ValueError(f"at scale {scale:g} the image would pass {MAX_PIXELS // 1_000_000} million pixels")
    try:
        return bytes(vl_convert.svg_to_png(svg, scale=scale))
    except RuntimeError as error:  # the renderer's message, then a Rust stack trace: keep the message
        raise ValueError(f"the SVG could not be drawn: {str(error).splitlines()[0]}") from error
