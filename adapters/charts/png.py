"""A chart's SVG as a PNG, for the exports, slides and e-mail that cannot show SVG.

vl-convert-python renders it (its svg_to_png runs resvg, the Rust SVG renderer, inside the
wheel: no Cairo or other system library). It also bundles Liberation Sans, one of the faces
FONT_FAMILY names (adapters.charts.text) and metric-compatible with Helvetica, so the text is
drawn at the widths it was laid out with even in the python:slim image, which has no fonts.

The renderer holds Python's GIL while it draws (seconds, for 500 teams' small multiples), so
it draws in a process of its own (a fresh interpreter, a few hundred milliseconds more: PNGs
are downloads, made now and then): one request's PNG never stalls the other requests this
process serves. Two drawings at a time at most; one that takes too long is given up.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import threading

MAX_SCALE = 8.0
# Past this many pixels the drawing is made at a smaller scale (at least one device pixel per
# SVG pixel), so a request never holds more than about 160 MB of raster.
MAX_PIXELS = 40_000_000
SECONDS = 60.0
_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')
# Two drawings at a time at most: each may hold its raster's memory.
_drawing = threading.BoundedSemaphore(2)
# The drawing process: the SVG on stdin, the PNG on stdout; the renderer's message (its first
# line: a Rust stack trace follows it) on stderr with exit status 2.
_DRAW = """
import sys, vl_convert
try:
    sys.stdout.buffer.write(bytes(vl_convert.svg_to_png(sys.stdin.buffer.read().decode(), scale=float(sys.argv[1]))))
except RuntimeError as error:
    sys.stderr.write(str(error).splitlines()[0])
    sys.exit(2)
"""


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """The SVG rasterised at `scale` device pixels per SVG pixel (2: sharp on a high-density
    screen), or less where that would pass MAX_PIXELS."""
    if not (math.isfinite(scale) and 0 < scale <= MAX_SCALE):
        raise ValueError(f"the scale is above 0 and at most {MAX_SCALE:g}, not {scale}")
    if not svg.lstrip().startswith("<"):
        raise ValueError("that is not an SVG document")
    size = _SIZE.search(svg[:4000])
    if size:
        area = float(size[1]) * float(size[2])
        if area > MAX_PIXELS:
            raise ValueError(
                f"the drawing is too large for a PNG (over {MAX_PIXELS // 1_000_000} million pixels)"
            )
        scale = min(scale, math.sqrt(MAX_PIXELS / area)) if area else scale
    with _drawing:
        try:
            run = subprocess.run(
                [sys.executable, "-c", _DRAW, repr(scale)],
                input=svg.encode(),
                capture_output=True,
                timeout=SECONDS,
            )
        except subprocess.TimeoutExpired:
            raise ValueError(
                f"the PNG took longer than {SECONDS:g} s to draw; download the SVG instead"
            ) from None
    if run.returncode == 2:
        raise ValueError(f"the SVG could not be drawn: {run.stderr.decode(errors='replace')}")
    if run.returncode != 0 or not run.stdout.startswith(b"\x89PNG"):
        raise RuntimeError(f"the PNG renderer failed: {run.stderr.decode(errors='replace')[-500:]}")
    return run.stdout
