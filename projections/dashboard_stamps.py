"""Where the dashboard changed: each team row keeps the position of the last event that
changed what the dashboard shows of the team, and each collaborative the position of the
last one that changed its activities' figures. A reader holding the dashboard as of a
position reads again only what was stamped after it (`dashboard_kept.py`).

Stamps are the events' own positions, never a batch's, so a rebuild writes the same rows
whatever the batches were.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from aggregates import activity, measure_chart, team
from projections.base import Recorded, Tx
from projections.dashboard_tables import ACTIVITY, ATTENDANCE, CHART, COLLABORATIVE, MEMBER, TEAM

# Team events that change who is invited to the collaborative's activities.
_ROSTER = (team.TeamRegistered, team.MemberAdded, team.MemberRemoved, team.Withdrawn)
_SIZE = 500  # ids per IN list, well under every store's limit of parameters


def stamp(
    tx: Tx, batch: Sequence[Recorded], handled: Collection[str], charts: Mapping[str, Any], held: Held
) -> None:
    """Stamp the teams and the collaboratives' activities the batch's events changed;
    `charts` holds the (owner, measure) of each chart the batch decided about (`charts_decided`),
    `held` the activities held for the first time."""
    teams: dict[str, int] = {}
    by_team: dict[str, int] = {}  # the activities of the team's collaborative
    by_activity: dict[str, int] = {}  # the activities of the activity's collaborative
    attendees: dict[str, int] = {}
    for recorded in batch:
        if recorded.event_type not in handled:
            continue  # never decoded here: a damaged record the dashboard ignores stays ignored
        event, at, originator = recorded.event, recorded.position, str(recorded.originator_id)
        if isinstance(event, team.TeamRegistered | team.TeamEvent):
            teams[originator] = at
            if isinstance(event, _ROSTER):
                by_team[originator] = at
        elif isinstance(event, measure_chart.ChartDecided):
            row = charts.get(originator)
            if row is not None:  # a collaborative's chart names no team: no team row matches
                teams[str(row[0])] = at
        elif isinstance(event, activity.ActivityScheduled | activity.AttendanceRecorded):
            by_activity[originator] = at
            if isinstance(event, activity.AttendanceRecorded):
                attendees[str(event.participant_id)] = at
    # Every team of a collaborative whose activity was first held: each stamp only ever raises a
    # team's, so one per team is as good as one per event, and a team that joined the
    # collaborative after the activity's event has a later stamp of its own.
    for team_id, collaborative_id in _select_in(
        tx, f"team_id, collaborative_id FROM {TEAM}", "collaborative_id", held.first
    ):
        at = held.first[str(collaborative_id)]
        teams[str(team_id)] = max(at, teams.get(str(team_id), 0))
    members = _select_in(tx, f"participant_id, team_id FROM {MEMBER}", "participant_id", attendees)
    for participant_id, team_id in members:  # their teams' attendance rates
        at = attendees[str(participant_id)]
        teams[str(team_id)] = max(at, teams.get(str(team_id), 0))
    tx.executemany(
        f"UPDATE {TEAM} SET changed_at = ? WHERE team_id = ? AND changed_at < ?",
        [(at, t, at) for t, at in sorted(teams.items())],
    )
    for table, key, found in ((TEAM, "team_id", by_team), (ACTIVITY, "activity_id", by_activity)):
        tx.executemany(
            f"UPDATE {COLLABORATIVE} SET activities_at = ? WHERE activities_at < ? AND collaborative_id = "
            f"(SELECT collaborative_id FROM {table} WHERE {key} = ?)",
            [(at, at, k) for k, at in sorted(found.items())],
        )


def charts_decided(tx: Tx, batch: Sequence[Recorded]) -> dict[str, tuple[Any, ...]]:
    """The (owner, measure key) of each chart the batch's decisions are about, by chart id:
    one look for the batch (a collaborative's chart is there too; no team row matches it)."""
    ids = [str(r.originator_id) for r in batch if r.event_type == "ChartDecided"]
    rows = _select_in(tx, f"chart_id, owner_id, measure_key FROM {CHART}", "chart_id", ids)
    return {str(c): (o, k) for c, o, k in rows}


class Held:
    """The batch's attended activities: each one's collaborative and kind, and which were
    already held (had an attendance). Fetched once for the batch, then kept up to date by
    its own events, which write the only rows these facts come from. `first` gathers, by
    collaborative, the last activity held for the first time, for `stamp`."""

    def __init__(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        ids = sorted({str(r.originator_id) for r in batch if r.event_type == "AttendanceRecorded"})
        found = _select_in(tx, f"activity_id, collaborative_id, kind FROM {ACTIVITY}", "activity_id", ids)
        self.activities = {str(a): (str(c), str(k)) for a, c, k in found}
        attended = _select_in(tx, f"DISTINCT activity_id FROM {ATTENDANCE}", "activity_id", ids)
        self.held = {str(a) for (a,) in attended}
        self.first: dict[str, int] = {}

    def scheduled(self, activity_id: str, collaborative_id: str, kind: str) -> None:
        self.activities[activity_id] = (collaborative_id, kind)

    def attended(self, r: Recorded) -> None:
        """Before an activity's attendance: once it is held, every team's attendance rate counts
        it, so every team of its collaborative is stamped."""
        activity_id = str(r.originator_id)
        found = None if activity_id in self.held else self.activities.get(activity_id)
        self.held.add(activity_id)
        if (
            found is not None and found[1] != "coaching_call"
        ):  # the dashboard's rates leave coaching calls out
            self.first[found[0]] = max(r.position, self.first.get(found[0], 0))


def _select_in(tx: Tx, select: str, column: str, values: Collection[str]) -> list[tuple[Any, ...]]:
    """`SELECT {select} WHERE {column} IN values`, a list of ids at a time."""
    ordered, rows = sorted(values), []
    for chunk in (ordered[i : i + _SIZE] for i in range(0, len(ordered), _SIZE)):
        rows += tx.fetchall(f"SELECT {select} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk)
    return rows
