"""What happened on the time axis, drawn at its month whether or not that month has
data: phase boundaries labelled with their reason, PDSA cycles as blue dashed lines
("PDSA 3"), and annotations as a purple star on the axis; each with its whole story
(what, who, when, why) in its title.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from adapters.charts.frame import HALO, MUTED, PDSA, Frame, Layer
from adapters.charts.glyphs import star
from adapters.charts.text import ellipsise, text_width
from projections.chart_model import ChartView, Mark, Phase
from projections.chart_words import month_label

# PDSA labels take turns over this many rows under the phase labels, so neighbours do not collide.
PDSA_ROWS = 3


def phase_boundaries(frame: Frame, view: ChartView) -> Layer:
    """A solid line where each phase after the first begins, "Phase 2: <reason>" at its top, and
    a dotted one at each of the collaborative's phase changes, its name at its foot; each label
    cut to the room before the next line of its kind (none when too little is left: the title
    still tells it)."""
    starts = [(frame.axis.index(p.first_period), p) for p in view.phases[1:]]
    placed = [(frame.px(i) - frame.half, p) for i, p in starts if i is not None]
    firsts = {p.first_period for _, p in placed}
    loose = [
        (x, m) for m, x in _at_month_edges(frame, view.marks) if m.kind == "phase" and m.period not in firsts
    ]
    out = []
    for k, (x, phase) in enumerate(placed):
        room = (placed[k + 1][0] if k + 1 < len(placed) else frame.right) - x - 6
        changes = [m for m in view.marks if m.kind == "phase" and m.period == phase.first_period]
        out.append(
            f'<g class="mark phase">{_vertical(frame, x, MUTED, "")}'
            f"{_label(frame, x, frame.top + 12, _phase_label(phase, room), MUTED)}"
            f"<title>{escape(_phase_title(phase, changes))}</title></g>"
        )
    for k, (x, mark) in enumerate(loose):
        room = (loose[k + 1][0] if k + 1 < len(loose) else frame.right) - x - 6
        label = _fitted(mark.label, room)
        text = _label(frame, x, frame.bottom - 5, label, MUTED) if label else ""
        out.append(
            f'<g class="mark phase">{_vertical(frame, x, MUTED, "1 3")}{text}'
            f"<title>{escape(mark_title(mark))}</title></g>"
        )
    return Layer("".join(out), frozenset({"phase"}) if out else frozenset())


def _fitted(label: str, room: float) -> str:
    """The label in the room there is, shortened with an ellipsis; nothing when not even a word fits."""
    if room < text_width("Word…", 12):
        return ""
    return ellipsise(label, room, 12)


def pdsa_cycles(frame: Frame, marks: Sequence[Mark]) -> Layer:
    """A blue dashed line through each PDSA cycle's month, labelled "PDSA n"."""
    out = []
    for row, (mark, x) in enumerate(_at_month_centres(frame, [m for m in marks if m.kind == "pdsa"])):
        y = frame.top + 26 + (row % PDSA_ROWS) * 13
        out.append(
            f'<g class="mark pdsa">{_vertical(frame, x, PDSA, "4 3")}{_label(frame, x, y, mark.label, PDSA)}'
            f"<title>{escape(mark_title(mark))}</title></g>"
        )
    return Layer("".join(out), frozenset({"pdsa"}) if out else frozenset())


def annotations(frame: Frame, marks: Sequence[Mark]) -> Layer:
    """A purple star on the axis at each annotation's month, its text in the title."""
    out = [
        f'<g class="mark annotation">{star(x, frame.bottom)}<title>{escape(mark_title(mark))}</title></g>'
        for mark, x in _at_month_centres(frame, [m for m in marks if m.kind == "annotation"])
    ]
    return Layer("".join(out), frozenset({"annotation"}) if out else frozenset())


def mark_title(mark: Mark) -> str:
    """ "PDSA 3, Mar 2025: Weigh in kg (Do); by Ann, 13 Feb 2025" """
    said = f"{mark.label}, {month_label(mark.period)}"
    if mark.detail and mark.detail != mark.label:
        said += f": {mark.detail}"
    return said + _by(mark.who, mark.at)


def _phase_label(phase: Phase, room: float) -> str:
    name = f"Phase {phase.number}"
    if not phase.reason:
        return name
    whole = f"{name}: {phase.reason}"
    return ellipsise(whole, room, 12) if room > text_width(f"{name}: …", 12) else name


def _phase_title(phase: Phase, changes: Sequence[Mark]) -> str:
    said = f"Phase {phase.number} from {month_label(phase.first_period)}"
    said += f": {phase.reason}" if phase.reason else ""
    said += _by(phase.decided_by, phase.decided_at)
    details = [mark_title(m) for m in changes if m.detail or m.who]
    return "; ".join([said, *details])


def _by(who: str | None, at: datetime | None) -> str:
    parts = [f"by {who}" if who else "", f"{at.day} {at:%b %Y}" if at else ""]
    shown = ", ".join(p for p in parts if p)
    return f"; {shown}" if shown else ""


def _at_month_centres(frame: Frame, marks: Sequence[Mark]) -> list[tuple[Mark, float]]:
    placed = [(m, frame.axis.index(m.period)) for m in marks]
    return [(m, frame.px(i)) for m, i in placed if i is not None]


def _at_month_edges(frame: Frame, marks: Sequence[Mark]) -> list[tuple[Mark, float]]:
    return [(m, x - frame.half) for m, x in _at_month_centres(frame, marks)]


def _vertical(frame: Frame, x: float, colour: str, dashes: str) -> str:
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    return (
        f'<line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{frame.bottom}" stroke="{colour}" '
        f'stroke-width="1.5"{dash}/>'
    )


def _label(frame: Frame, x: float, y: float, text: str, colour: str) -> str:
    """The label beside its line, turned to the line's left where the right edge would cut it."""
    text = ellipsise(text, frame.width - 8, 12)
    width = text_width(text, 12)
    if x + 3 + width <= frame.width - 4:
        return f'<text x="{x + 3:.1f}" y="{y:.1f}" fill="{colour}"{HALO}>{escape(text)}</text>'
    if x - 3 - width >= 4:
        return (
            f'<text x="{x - 3:.1f}" y="{y:.1f}" text-anchor="end" fill="{colour}"{HALO}>{escape(text)}</text>'
        )
    return f'<text x="4" y="{y:.1f}" fill="{colour}"{HALO}>{escape(text)}</text>'
