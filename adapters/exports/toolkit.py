"""The implementation toolkit as one self-contained HTML page (Jinja2) and as a
PDF (fpdf2): exactly the selected change ideas, with their figures and the
audit positions of the events each figure came from, and the selected resources."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape

from adapters.charts.driver_diagram import decisions_line, fmt_value, tested_line
from adapters.charts.png import svg_to_png
from adapters.exports.across_teams import SHARP_UP_TO, AcrossTeams, image, page_high, strips
from adapters.exports.pdf_text import heading, latin, para
from adapters.safe_urls import install_safe_url
from projections.learning_view import ResourceView, ToolkitIdea, ToolkitView

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
_templates.globals["value"] = fmt_value
install_safe_url(_templates)  # a stored javascript: or data: URL stays text


def file_size(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} bytes"


_templates.globals["size"] = file_size


def toolkit_html(toolkit: ToolkitView, across: Sequence[AcrossTeams] = ()) -> str:
    """The toolkit as one HTML page, with its styles inline so it can be saved and shared;
    with `across`, its results across teams (adapters.exports.across_teams.results_across)."""
    return _templates.get_template("toolkit_export.html").render(t=toolkit, across=across)


def toolkit_article(toolkit: ToolkitView, across: Sequence[AcrossTeams] = ()) -> str:
    """The toolkit's content alone, for a page to show within its own layout."""
    return _templates.get_template("toolkit_article.html").render(t=toolkit, across=across)


def toolkit_pdf(toolkit: ToolkitView, across: Sequence[AcrossTeams] = ()) -> bytes:
    """The toolkit as a PDF with the same content as the HTML page."""
    pdf = FPDF(format="Letter")
    pdf.set_title(latin(toolkit.title))
    pdf.set_creator("QI Collaborative Engine")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    heading(pdf, toolkit.title, 18)
    para(pdf, f"Implementation toolkit compiled by {toolkit.compiled_by} on {toolkit.compiled_at:%Y-%m-%d}. "
          f"Every figure is as of audit position {toolkit.position} and names the audit positions of the "
          "events it came from.", size=9)  # fmt: skip
    if toolkit.introduction:
        para(pdf, toolkit.introduction)
    if toolkit.aim:
        para(pdf, f"Aim: {toolkit.aim}", style="B")
    heading(pdf, f"Change ideas ({len(toolkit.change_ideas)})", 14)
    for item in toolkit.change_ideas:
        _idea(pdf, item)
    heading(pdf, f"Resources ({len(toolkit.resources)})", 14)
    for resource in toolkit.resources:
        _resource(pdf, resource)
    if across:
        heading(pdf, "Results across teams", 14)
        para(
            pdf,
            f"Drawn from the data as it stood on {across[0].drawn_on:%Y-%m-%d}, when this file was made.",
            size=9,
        )
    for item in across:
        _across(pdf, item)
    return bytes(pdf.output())


def _across(pdf: FPDF, item: AcrossTeams) -> None:
    """A measure's small multiples in page-high strips, then its funnel and the outliers in words."""
    heading(pdf, f"{item.measure}: every team ({item.teams})", 12)
    scale = 2.0 if item.teams <= SHARP_UP_TO else 1.0
    for strip in strips(svg_to_png(item.multiples, scale), item.teams, scale, page_high(pdf, scale)):
        image(pdf, strip)
    if item.funnel is None:
        return
    para(pdf, f"Funnel plot across the teams, {item.funnel_month}", style="B")
    image(pdf, svg_to_png(item.funnel))
    para(pdf, "Outside the limits: " + ("; ".join(item.outliers) if item.outliers else "no team") + ".")
    if item.no_data:
        para(pdf, "No data in " + item.funnel_month + ": " + ", ".join(item.no_data) + ".", size=9)


def _idea(pdf: FPDF, item: ToolkitIdea) -> None:
    idea, figures = item.idea, item.idea.figures
    assert figures is not None
    heading(pdf, idea.name, 12)
    para(pdf, " > ".join(item.path), size=9)
    if idea.description:
        para(pdf, idea.description)
    para(pdf, f"{tested_line(figures)}; {decisions_line(figures)}.")
    sources = ", ".join(map(str, figures.sources))
    para(
        pdf,
        f"Source events: audit positions {sources}." if sources else "No PDSA cycle has tested it yet.",
        size=8,
    )
    if not figures.results:
        para(pdf, "No team had adopted it, with data on both sides, by then.", size=9)
        return
    header = ("Team", "Measure", "Adopted", "Median before", "Median after", "Source events")
    rows = [
        (r.team_name, r.measure_name, r.adopted_period, f"{fmt_value(r.before_median, r.data_type)} ({r.before_points} mo)",
         f"{fmt_value(r.after_median, r.data_type)} ({r.after_points} mo)", ", ".join(map(str, r.sources)))
        for r in figures.results
    ]  # fmt: skip
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=(22, 26, 14, 17, 17, 30), text_align="LEFT", line_height=4.5) as table:
        for row in (header, *rows):
            cells = table.row()
            for cell in row:
                cells.cell(latin(cell))
    pdf.ln(3)


def _resource(pdf: FPDF, r: ResourceView) -> None:
    tags = ", ".join(r.tags + r.care_settings).replace("_", " ")
    para(pdf, r.title, style="B")
    para(pdf, r.kind.value.replace("_", " ") + (f" - {tags}" if tags else ""), size=9)
    if r.description:
        para(pdf, r.description)
    where = r.url or (
        f"{r.file.filename} ({file_size(r.file.size)}), SHA-256 {r.file.sha256}" if r.file else ""
    )
    para(pdf, where, size=8)
    para(pdf, f"Shared by {r.shared_by} on {r.shared_at:%Y-%m-%d} (audit position {r.position}).", size=8)
    pdf.ln(2)
