"""A collaborative's teams counted by care setting (active, withdrawn, and active with an
assessment), kept as teams register, assess themselves and withdraw, so the dashboard's
teams by setting and assessment completion never count the teams at read time."""

from __future__ import annotations

from projections.base import Tx
from projections.dashboard_tables import TALLY, TEAM


def count(tx: Tx, collaborative_id: str, care_setting: str, active: int = 0, withdrawn: int = 0,
          assessed: int = 0) -> None:  # fmt: skip
    """Add to the counts of the collaborative's teams in a care setting."""
    tx.execute(
        f"INSERT INTO {TALLY} (collaborative_id, care_setting, active, withdrawn, assessed) VALUES (?, ?, ?, ?, ?) "
        f"ON CONFLICT (collaborative_id, care_setting) DO UPDATE SET active = {TALLY}.active + excluded.active, "
        f"withdrawn = {TALLY}.withdrawn + excluded.withdrawn, assessed = {TALLY}.assessed + excluded.assessed",
        (collaborative_id, care_setting, active, withdrawn, assessed),
    )


def withdrawn(tx: Tx, team_id: str) -> bool:
    """Count an active team as withdrawn (before its row says so); False if it was not active."""
    row = tx.fetchone(
        f"SELECT collaborative_id, care_setting, active, assessment_score FROM {TEAM} WHERE team_id = ?",
        (team_id,),
    )
    if row is None or not row[2]:
        return False
    count(tx, str(row[0]), str(row[1]), active=-1, withdrawn=1, assessed=-1 if row[3] is not None else 0)
    return True


def assessed(tx: Tx, team_id: str) -> None:
    """Count an active team's first assessment (before its row records it)."""
    row = tx.fetchone(
        f"SELECT collaborative_id, care_setting, active, assessment_score FROM {TEAM} WHERE team_id = ?",
        (team_id,),
    )
    if row is not None and row[2] and row[3] is None:
        count(tx, str(row[0]), str(row[1]), assessed=1)


def teams_by_setting(tx: Tx, collaborative_id: str) -> tuple[dict[str, dict[str, int]], int, int]:
    """The teams by care setting (in the order the dashboard lists teams), with the active
    teams' count and how many of them have an assessment."""
    rows = tx.fetchall(
        f"SELECT care_setting, active, withdrawn, assessed FROM {TALLY} WHERE collaborative_id = ? "
        "ORDER BY care_setting",
        (collaborative_id,),
    )
    by_setting = {str(s): {"active": int(a), "withdrawn": int(w)} for s, a, w, _ in rows}
    return by_setting, sum(int(r[1]) for r in rows), sum(int(r[3]) for r in rows)
