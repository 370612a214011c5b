"""Each measure's monthly sums over a collaborative's active teams, kept as the data
arrives: a month's value adds in, a correction takes the old value out and puts the new
one in, a withdrawal takes the team's months out. The collaborative's chart then reads one
row per month, whatever the number of teams.

What is summed is what `analytics.aggregate_by_period` sums over the teams' series: the
months of the active teams that define the measure, every point's numerator (a count) and,
for a ratio, the numerators and denominators of the points that have both (qicharts2's
complete cases). Sums are exact fractions of the stored doubles, so taking a value out
leaves no trace, the order of arrival never matters, and the chart rounds once to the
double that `math.fsum` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from aggregates.values import MeasureDefinition
from projections.base import HoldingTx, Recorded, Tx, insert_rows, upsert
from projections.chart_plan import Series
from projections.dashboard_stamps import Held
from projections.dashboard_tables import MEASURE, MONTH, POINT, TEAM

Value = tuple[float, float | None]  # a month's (numerator, denominator)
Month = tuple[str, str, str]  # (collaborative id, measure key, period)
_ZERO = (0, "0", 0, "0", "0")
_SIZE = 500  # ids per IN list, well under every store's limit of parameters


class Sums:
    """What a batch's events change in the sums, gathered and written once at the batch's end
    (`write`): the team months it reads and the changes it adds up stay in memory meanwhile,
    so a month's value costs no query of its own."""

    def __init__(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        self.tx = tx
        self.counted: dict[tuple[str, str], str | None] = {}  # (team, key) -> its collaborative, if summed
        self.values: dict[tuple[str, str, str], Value] = {}  # (team, key, period) -> as stored
        self.changes: dict[Month, list[Any]] = {}  # points, numerator, ratio points, numerator, denominator
        points = [r.event for r in batch if r.event_type in _POINTS]
        teams = sorted({str(e.originator_id) for e in points})
        keys = sorted({e.measure_key for e in points})
        periods = sorted({e.period for e in points})  # only the months the batch sets are looked up
        for chunk in (teams[i : i + _SIZE] for i in range(0, len(teams), _SIZE)):
            marks = ", ".join("?" * len(chunk))
            for team_id, key, cid, active in tx.fetchall(
                f"SELECT m.team_id, m.measure_key, t.collaborative_id, t.active FROM {MEASURE} m "
                f"JOIN {TEAM} t ON t.team_id = m.team_id WHERE m.team_id IN ({marks})",
                chunk,
            ):
                self.counted[(str(team_id), str(key))] = str(cid) if active else None
            for team_id, key, period, n, d in tx.fetchall(  # the old values of the months the batch sets
                f"SELECT team_id, measure_key, period, numerator, denominator FROM {POINT} "
                f"WHERE team_id IN ({marks}) AND measure_key IN ({', '.join('?' * len(keys))}) "
                f"AND period IN ({', '.join('?' * len(periods))})",
                (*chunk, *keys, *periods),
            ):
                self.values[(str(team_id), str(key), str(period))] = (
                    float(n),
                    None if d is None else float(d),
                )
        self._known = set(teams)
        # The stored sums of the measures the batch's points go into, read now, while nothing is
        # pending: `write` then waits for no reply (it is the only writer of these rows).
        summed = {
            (c, e.measure_key)
            for e in points
            if (c := self.counted.get((str(e.originator_id), e.measure_key)))
        }
        self.months = {(c, k): self._stored(c, k) for c, k in sorted(summed)}

    def point(self, team_id: str, key: str, period: str, value: Value) -> None:
        """A month's value submitted or corrected: its old value out of the sums, the new one in."""
        if team_id not in self._known:  # not in the batch's first look (its events came later)
            self._know(team_id)
        old = self.values.get((team_id, key, period))
        self.values[(team_id, key, period)] = value
        cid = self.counted.get((team_id, key))
        if cid is not None:
            self._change((cid, key, period), old, -1)
            self._change((cid, key, period), value, 1)

    def defined(self, team_id: str, key: str, collaborative_id: str, active: bool) -> None:
        """A measure defined: a team's first definition of it brings its months (if any) into the sums."""
        self._know(team_id)
        if (team_id, key) in self.counted:
            return
        self.counted[(team_id, key)] = collaborative_id if active else None
        if active:
            self._move(team_id, collaborative_id, key, 1)

    def withdrawn(self, team_id: str) -> None:
        """A team withdrew: every month of its measures leaves the sums."""
        self._know(team_id)
        for (team, key), cid in list(self.counted.items()):
            if team == team_id and cid is not None:
                self._move(team_id, cid, key, -1)
                self.counted[(team, key)] = None

    def write(self) -> None:
        """Add the gathered changes to the stored sums (a month no point is left in goes)."""
        for (cid, key), months in _by_measure(self.changes).items():
            stored = self.months[(cid, key)] if (cid, key) in self.months else self._stored(cid, key)
            for period, change in sorted(months.items()):
                old = stored.get(period, _ZERO)
                new = [
                    int(v) + c if isinstance(c, int) else _plus(_parsed(str(v)), c)
                    for v, c in zip(old, change, strict=True)
                ]
                if new[0] == 0:
                    self.tx.execute(
                        f"DELETE FROM {MONTH} WHERE collaborative_id = ? AND measure_key = ? AND period = ?",
                        (cid, key, period),
                    )
                    continue
                upsert(self.tx, MONTH, ("collaborative_id", "measure_key", "period"), {
                    "collaborative_id": cid, "measure_key": key, "period": period, "points": new[0],
                    "numerator": _text(new[1]), "ratio_points": new[2], "ratio_numerator": _text(new[3]),
                    "denominator": _text(new[4]),
                })  # fmt: skip
        self.changes.clear()

    def _stored(self, cid: str, key: str) -> dict[str, tuple[Any, ...]]:
        rows = self.tx.fetchall(
            f"SELECT period, points, numerator, ratio_points, ratio_numerator, denominator FROM {MONTH} "
            "WHERE collaborative_id = ? AND measure_key = ?",
            (cid, key),
        )
        return {str(r[0]): r[1:] for r in rows}

    def _know(self, team_id: str) -> None:
        """Look up a team the batch's first look did not see (registered, or defining, in the batch)."""
        if team_id in self._known:
            return
        self._known.add(team_id)
        for key, cid, active in self.tx.fetchall(
            f"SELECT m.measure_key, t.collaborative_id, t.active FROM {MEASURE} m JOIN {TEAM} t "
            "ON t.team_id = m.team_id WHERE m.team_id = ?",
            (team_id,),
        ):
            self.counted.setdefault((team_id, str(key)), str(cid) if active else None)
        for key, period, n, d in self.tx.fetchall(  # rarely needed: the team's events came into this batch
            f"SELECT measure_key, period, numerator, denominator FROM {POINT} WHERE team_id = ?", (team_id,)
        ):
            self.values.setdefault(
                (team_id, str(key), str(period)), (float(n), None if d is None else float(d))
            )

    def _move(self, team_id: str, collaborative_id: str, key: str, sign: int) -> None:
        # From the rows, which every handler before this one has written.
        for period, n, d in self.tx.fetchall(
            f"SELECT period, numerator, denominator FROM {POINT} WHERE team_id = ? AND measure_key = ?",
            (team_id, key),
        ):
            self._change(
                (collaborative_id, key, str(period)), (float(n), None if d is None else float(d)), sign
            )

    def _change(self, month: Month, value: Value | None, sign: int) -> None:
        if value is None:
            return
        change = self.changes.setdefault(month, [0, (0, 0), 0, (0, 0), (0, 0)])
        numerator = _exact(value[0], sign)
        change[0] += sign
        change[1] = _plus(change[1], numerator)
        if value[1] is not None:
            change[2] += sign
            change[3] = _plus(change[3], numerator)
            change[4] = _plus(change[4], _exact(value[1], sign))


# An exact sum of doubles as (n, k), the number n / 2**k: every double is one, so sums and
# differences stay exact in integers (far cheaper than Fraction), and a division rounds once.
Exact = tuple[int, int]


def _exact(value: float, sign: int = 1) -> Exact:
    n, d = value.as_integer_ratio()  # d is a power of two
    return sign * n, d.bit_length() - 1


def _plus(a: Exact, b: Exact) -> Exact:
    (n, k), (m, j) = a, b
    if k < j:
        n, k = n << (j - k), j
    elif j < k:
        m = m << (k - j)
    return n + m, k


def _text(a: Exact) -> str:
    """Stored in lowest terms, as Fraction writes it, so equal sums are equal text whatever their order."""
    n, k = a
    zeros = min(k, (n & -n).bit_length() - 1) if n else k
    n, k = n >> zeros, k - zeros
    return f"{n}/{1 << k}" if k else str(n)


def _parsed(text: str) -> Exact:
    n, _, d = text.partition("/")
    return int(n), (int(d).bit_length() - 1 if d else 0)


def _float(text: str) -> float:
    n, k = _parsed(text)
    return n / (1 << k)  # integer true division: correctly rounded, as math.fsum's sum is


class Upsert(NamedTuple):
    """An upsert that every column but the key's sets from the row, written many rows a statement:
    `INSERT INTO t (columns) VALUES` + rows + `tail` (its ON CONFLICT clause)."""

    insert: str
    tail: str
    key: int  # the key is the row's first `key` values


class Writes(HoldingTx):
    """What the dashboard's handlers write through: the batch's transaction, its sums, and
    its attended activities (`dashboard_stamps.Held`). The rows of consecutive `gather`s of
    one upsert go out together, before any other statement or read."""

    def __init__(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        super().__init__(tx)
        self._gathered: tuple[Upsert, dict[tuple[Any, ...], tuple[Any, ...]]] | None = None
        self.sums = Sums(self, batch)
        self.held = Held(tx, batch)

    def gather(self, upsert: Upsert, row: tuple[Any, ...]) -> None:
        if self._gathered is None or self._gathered[0] is not upsert:
            self.flush()
            self._gathered = (upsert, {})
        # A later row of the same key sets every other column again: only the last one counts.
        self._gathered[1][row[: upsert.key]] = row

    def flush(self) -> None:
        """Send the gathered rows."""
        if self._gathered is None:
            return
        (insert, tail, _), gathered = self._gathered
        self._gathered, rows = None, list(gathered.values())
        insert_rows(self.tx, insert, rows, tail)


_POINTS = frozenset({"DataPointSubmitted", "DataPointCorrected"})


def _by_measure(changes: dict[Month, list[Any]]) -> dict[tuple[str, str], dict[str, list[Any]]]:
    out: dict[tuple[str, str], dict[str, list[Any]]] = {}
    for (cid, key, period), change in changes.items():
        out.setdefault((cid, key), {})[period] = change
    return out


def definition(tx: Tx, collaborative_id: str, key: str) -> MeasureDefinition | None:
    """The measure as the collaborative's chart draws it: as its first active team (by id) defines it."""
    row = tx.fetchone(
        f"SELECT definition FROM {MEASURE} WHERE collaborative_id = ? AND measure_key = ? AND active = 1 "
        "ORDER BY team_id LIMIT 1",
        (collaborative_id, key),
    )
    return None if row is None else MeasureDefinition.model_validate_json(row[0])


def summed(tx: Tx, collaborative_id: str, measure: MeasureDefinition) -> Series:
    """The measure summed by month over the active teams, as `aggregate_by_period` sums their series."""
    rows = tx.fetchall(
        f"SELECT period, numerator, ratio_points, ratio_numerator, denominator FROM {MONTH} "
        "WHERE collaborative_id = ? AND measure_key = ?",
        (collaborative_id, measure.key),
    )
    months = sorted((str(r[0]), r) for r in rows)  # in Python: the order of periods never follows a collation
    if not measure.denominator:
        return Series(periods=[p for p, _ in months], numerators=[_float(r[1]) or 0.0 for _, r in months])
    # A month no team reported both halves of keeps its place, with nothing summed (aggregate_by_period).
    sums = [(_float(r[3]), _float(r[4])) if r[2] else (None, None) for _, r in months]
    return Series(
        periods=[p for p, _ in months],
        numerators=[y or 0.0 for y, _ in sums],
        denominators=[n for _, n in sums],
    )
