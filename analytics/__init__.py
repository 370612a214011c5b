"""Run charts and SPC charts for QI measures, reproducing qicharts2 0.8.1 (pure functions, no IO).

    from analytics import qic
    chart = qic(y, n, x=months, chart="p", freeze=12, multiply=100)
    chart.points  # per point: x, y, n, cl, lcl, ucl, sigma_signal, include, baseline, part
    chart.parts   # per part: Anhøj runs figures, runs_signal, IHI shifts and trends

Charts (analytics/charts.py lists each with the module computing its lines)
  limits.py
    run  centre line = median; no limits.
    i    XmR: centre = mean; sigma = mean moving range / 1.128, after screening out moving
         ranges of 3.267 × their mean or more and re-averaging (qicharts2's default).
    mr   moving ranges |y(i) − y(i−1)|, restarting in each part: cl = mean MR, ucl = 3.267 × cl, lcl = 0.
    p    y = count/n; cl = Σcount/Σn; cl ± 3·sqrt(cl(1−cl)/n(i)), clipped to [0, 1].
    u    y = count/n; cl = Σcount/Σn; cl ± 3·sqrt(cl/n(i)), lcl clipped at 0.
    c    y = count; cl = mean count; cl ± 3·sqrt(cl), lcl clipped at 0.
  laney.py (very large n, where p and u limits are too narrow: over-dispersion)
    pp   P′: the p chart's sigma(i) times sigma_z, the screened mean moving range / 1.128 of
         z(i) = (y(i) − cl) / sigma(i) over the baseline.
    up   U′: the same on the u chart.
  normalised.py
    ip   I′ (Taylor): y = value/n; cl = Σy·n / Σn; sigma(i) = s̄·sqrt(1/n(i)), s̄ the screened
         (3.2665) mean of sqrt(π/2)·|Δy| / sqrt(1/n(i) + 1/n(i−1)) over all points of the part.
  rare_events.py
    g    units between events: limits m ± 3·sqrt(m(m+1)) from the mean m, lcl clipped at 0;
         the centre line shown (and used by the runs analysis) is the median.
    t    time between events (> 0): an I chart of y^(1/3.6), its lines raised back to the power 3.6.
  subgroups.py (individual observations, several per x; one point per x, n = its observations)
    xbar subgroup means: cl = Σn·mean / Σn; cl ± A3(n)·sigma, sigma the pooled SD when sizes
         vary in the part, else the mean SD; A3, B3, B4 from c4(n), by its gamma-function formula.
    s    subgroup SDs: cl = that sigma; limits B3(n)·cl and B4(n)·cl.
    For run, i and mr charts a given n makes y the ratio count/n, as in qicharts2. Only xbar and s
    take repeated x; g, t, xbar and s take no n; p, u, pp, up and ip need it.

Options (1-based positions, as qicharts2; for xbar and s they count subgroups)
    freeze   centre and limits from the first k points, applied to all; the runs analysis covers all
             points against that frozen centre line. Cannot be combined with part.
    part     positions of the last point of each part but the final one; each part has its own
             centre, limits and runs analysis.
    exclude  points left out of centre, limits and runs analysis; still tested against the limits.
    multiply y, centre line and limits times this (> 0; e.g. 100 for percentages), after the runs
             analysis; sigma signals are tested on the multiplied values.

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
