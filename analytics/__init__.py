"""Run charts and SPC charts for QI measures, reproducing qicharts2 0.8.1 (pure functions, no IO).

    from analytics import qic
    chart = qic(y, n, x=months, chart="p", freeze=12)
    chart.points  # per point: x, y, n, cl, lcl, ucl, sigma_signal, include, baseline, part
    chart.parts   # per part: Anhøj runs figures, runs_signal, IHI shifts and trends

Charts
    run  centre line = median; no limits.
    i    XmR: centre = mean; sigma = mean moving range / 1.128, after screening out moving
         ranges of 3.267 × their mean or more and re-averaging (qicharts2's default).
    mr   moving ranges |y(i) − y(i−1)|, restarting in each part: cl = mean MR, ucl = 3.267 × cl, lcl = 0.
    p    y = count/n; cl = Σcount/Σn; cl ± 3·sqrt(cl(1−cl)/n(i)), clipped to [0, 1].
    u    y = count/n; cl = Σcount/Σn; cl ± 3·sqrt(cl/n(i)), lcl clipped at 0.
    c    y = count; cl = mean count; cl ± 3·sqrt(cl), lcl clipped at 0.
    For run, i and mr charts a given n makes y the ratio count/n, as in qicharts2.

Options (1-based positions, as qicharts2)
    freeze   centre and limits from the first k points, applied to all; the runs analysis covers all
             points against that frozen centre line. Cannot be combined with part.
    part     positions of the last point of each part but the final one; each part has its own
             centre, limits and runs analysis.
    exclude  points left out of centre, limits and runs analysis; still tested against the limits.

Signals
    sigma_signal  y > ucl or y < lcl, strictly.
    runs_signal   Anhøj: over the useful points (included, present, not on the centre line), the
                  longest run > round(log2(n_useful)) + 3, or crossings < qbinom(0.05, n_useful − 1, 0.5).
                  Never raised on an MR chart, as in qicharts2.
    shifts/trends IHI rules over included, present points: 6+ points on one side of the centre line
                  (points on it skipped); 5+ points all rising or all falling (repeated values skipped).

Missing data
    A None y (or None n when sizes are given) is a missing period: listed with y = None, used for
    nothing. A zero n makes count/n undefined: the same, with no limits at that point. A centre line
    or limit that cannot be computed is None.

aggregate_by_period() sums several teams' numerators and denominators per period for the
collaborative-level chart; default_chart() picks the chart for a measure's data type.
"""

from analytics.aggregate import aggregate_by_period
from analytics.models import MeasureSeries, PartSummary, Pattern, Point, QicResult
from analytics.qic import default_chart, qic

__all__ = [
    "MeasureSeries",
    "PartSummary",
    "Pattern",
    "Point",
    "QicResult",
    "aggregate_by_period",
    "default_chart",
    "qic",
]
