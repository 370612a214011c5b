"""The charts as PNG (adapters.charts.png): a control chart, a funnel plot and a grid of
small multiples each decode with Pillow at scale × the SVG's size, are not blank, and
draw their text (the renderer's bundled Liberation Sans stands in where no system font is)."""

from __future__ import annotations

import io
import sys
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from adapters.charts import png
from adapters.charts.funnel import render_funnel
from adapters.charts.multiples import render_small_multiples
from adapters.charts.png import svg_to_png
from adapters.charts.svg import render_chart
from adapters.charts.text import FONT_FAMILY
from analytics.funnel import FunnelUnit, funnel
from tests.unit.chart_views import qic_view
from tests.unit.test_small_multiples import view


def decoded(svg: str, scale: float = 2.0) -> Image.Image:
    image = Image.open(io.BytesIO(svg_to_png(svg, scale)))
    image.load()
    assert image.format == "PNG"
    root = ET.fromstring(svg)
    expected = (float(root.get("width")) * scale, float(root.get("height")) * scale)
    assert all(abs(got - want) <= 1 for got, want in zip(image.size, expected, strict=True))  # 607.5 px: 607
    return image.convert("RGB")


def dark_share(image: Image.Image) -> float:
    """The share of pixels darker than mid-grey: ink, not the white ground."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:128]) / (grey.width * grey.height)


def colours(image: Image.Image) -> int:
    return len(image.getcolors(maxcolors=1 << 20) or ())


def test_a_control_chart_becomes_a_png_of_twice_its_size_with_ink_and_colour():
    chart = qic_view("2025-01", [40, 45, 42, 60, 44, 41, 43, 47, 46, 90], [100] * 10, chart="p")
    image = decoded(render_chart(chart, "Children weighed in kg"))
    assert 0.005 < dark_share(image) < 0.5 and colours(image) > 20
    assert (198, 40, 40) in {rgb for _, rgb in image.getcolors(maxcolors=1 << 20)}  # the red signal point


def test_a_funnel_plot_becomes_a_png_that_is_not_blank():
    units = [
        FunnelUnit(id=str(i), label=f"ED {i}", numerator=k, denominator=n)
        for i, (k, n) in enumerate([(3, 10), (30, 100), (45, 100), (2, 40)])
    ]
    image = decoded(render_funnel(funnel(units, "proportion"), "Weighed in kg, March"), scale=1.0)
    assert 0.005 < dark_share(image) < 0.5 and colours(image) > 20


def test_small_multiples_become_a_png_that_is_not_blank():
    panels = [(f"ED {i}", view([0.4, 0.5, None, 0.9], goal=0.8, outside=[3])) for i in range(8)]
    image = decoded(render_small_multiples(panels, "Every team"), scale=1.5)
    assert 0.005 < dark_share(image) < 0.5 and colours(image) > 20


def test_text_is_drawn_in_the_font_family_the_svgs_declare():
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40" font-family="{FONT_FAMILY}" '
        'font-size="20"><rect width="240" height="40" fill="#ffffff"/><text x="8" y="28">Weighed in kg</text></svg>'
    )
    empty = svg.replace("Weighed in kg", "")
    assert dark_share(decoded(svg)) > 0.03 and dark_share(decoded(empty)) == 0


@pytest.mark.parametrize("scale", [0, -1, float("nan"), 9])
def test_refuses_a_scale_out_of_range(scale: float):
    with pytest.raises(ValueError, match="scale"):
        svg_to_png('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', scale)


def test_refuses_an_image_past_the_pixel_cap_before_drawing_it():
    huge = '<svg xmlns="http://www.w3.org/2000/svg" width="980" height="80000"><rect width="4" height="4"/></svg>'
    with pytest.raises(ValueError, match="million pixels"):
        svg_to_png(huge, 2.0)
    assert svg_to_png(huge.replace("80000", "800"), 2.0).startswith(b"\x89PNG")


def test_a_drawing_that_would_pass_the_cap_at_its_scale_is_drawn_smaller_instead():
    tall = '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="20000"><rect width="4" height="4"/></svg>'
    image = Image.open(io.BytesIO(svg_to_png(tall, 2.0)))
    assert image.width * image.height <= png.MAX_PIXELS and image.width >= 1000


def test_the_png_is_drawn_in_a_process_of_its_own_so_the_renderer_never_stalls_this_ones_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The renderer holds the GIL while it draws: in this process, every other request would wait.
    # So it must draw even where this process cannot import it at all.
    monkeypatch.setitem(sys.modules, "vl_convert", None)
    assert svg_to_png('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>').startswith(b"\x89PNG")


def test_refuses_what_is_not_a_drawable_svg_with_the_renderers_reason():
    with pytest.raises(ValueError, match="not an SVG"):
        svg_to_png("hello")
    with pytest.raises(ValueError, match="could not be drawn: the root node was opened but never closed"):
        svg_to_png("<svg>")
