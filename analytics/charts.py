"""Every chart qic() draws and the function that computes its centre line and limits, in one table."""

from __future__ import annotations

from collections.abc import Callable

from analytics.laney import pp_chart, up_chart
from analytics.limits import Lines, Segment, c_chart, i_chart, mr_chart, p_chart, run_chart, u_chart
from analytics.normalised import ip_chart
from analytics.rare_events import g_chart, t_chart
from analytics.subgroups import s_chart, xbar_chart

LINES: dict[str, Callable[[Segment], list[Lines]]] = {
    "run": run_chart,  # limits.py
    "i": i_chart,
    "mr": mr_chart,
    "p": p_chart,
    "u": u_chart,
    "c": c_chart,
    "pp": pp_chart,  # laney.py
    "up": up_chart,
    "ip": ip_chart,  # normalised.py
    "g": g_chart,  # rare_events.py
    "t": t_chart,
    "xbar": xbar_chart,  # subgroups.py
    "s": s_chart,
}
CHARTS = tuple(LINES)
SUBGROUPED = ("xbar", "s")  # one point per distinct x, from several observations each


def lines_for(chart: str, segment: Segment) -> list[Lines]:
    """Centre line and limits at every point of the segment."""
    return LINES[chart](segment)
