"""Where the dashboard changed: each team row keeps the position of the last event that
changed what the dashboard shows of the team, and each collaborative the position of the
last one that changed its activities' figures. A reader holding the dashboard as of a
position reads again only what was stamped after it (`dashboard_kept.py`).

Stamps are the events' own positions, never a batch's, so a rebuild writes the same rows
whatever the batches were.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from aggregates import activity, measure_chart, team
from projections.base import Recorded, Tx
from projections.dashboard_tables import ACTIVITY, ATTENDANCE, CHART, COLLABORATIVE, MEMBER, TEAM

# Team events that change who is invited to the collaborative's activities.
_ROSTER = (team.TeamRegistered, team.MemberAdded, team.MemberRemoved, team.Withdrawn)


def stamp(tx: Tx, batch: Sequence[Recorded], handled: Collection[str]) -> None:
    """Stamp the teams and the collaboratives' activities the batch's events changed."""
    teams: dict[str, int] = {}
    by_team: dict[str, int] = {}  # the activities of the team's collaborative
    by_activity: dict[str, int] = {}  # the activities of the activity's collaborative
    attendees: dict[str, int] = {}
    for recorded in batch:
        if recorded.event_type not in handled:
            continue  # never decoded here: a damaged record the dashboard ignores stays ignored
        event, at = recorded.event, recorded.position
        if isinstance(event, team.TeamRegistered | team.TeamEvent):
            teams[str(recorded.originator_id)] = at
            if isinstance(event, _ROSTER):
                by_team[str(recorded.originator_id)] = at
        elif isinstance(event, measure_chart.ChartDecided):
            row = tx.fetchone(
                f"SELECT owner_id FROM {CHART} WHERE chart_id = ?", (str(recorded.originator_id),)
            )
            if row is not None:  # a collaborative's chart names no team: no team row matches
                teams[str(row[0])] = at
        elif isinstance(event, activity.ActivityScheduled | activity.AttendanceRecorded):
            by_activity[str(recorded.originator_id)] = at
            if isinstance(event, activity.AttendanceRecorded):
                attendees[str(event.participant_id)] = at
    for participant_id, at in attendees.items():  # their teams' attendance rates
        for (team_id,) in tx.fetchall(
            f"SELECT team_id FROM {MEMBER} WHERE participant_id = ?", (participant_id,)
        ):
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


def held_for_the_first_time(tx: Tx, r: Recorded) -> None:
    """Before an activity's first attendance: once it is held, every team's attendance rate
    counts it, so every team of its collaborative is stamped."""
    row = tx.fetchone(
        f"SELECT collaborative_id, kind FROM {ACTIVITY} v WHERE activity_id = ? AND NOT EXISTS "
        f"(SELECT 1 FROM {ATTENDANCE} a WHERE a.activity_id = v.activity_id)",
        (str(r.originator_id),),
    )
    if row is not None and row[1] != "coaching_call":  # the dashboard's rates leave coaching calls out
        tx.execute(
            f"UPDATE {TEAM} SET changed_at = ? WHERE collaborative_id = ? AND changed_at < ?",
            (r.position, str(row[0]), r.position),
        )
