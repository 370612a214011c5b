"""The names of teams as the dashboard read model holds them, for views that show a team
by name beside something else (the audit explorer)."""

from __future__ import annotations

from uuid import UUID

from projections.base import Tx
from projections.dashboard_tables import TEAM


def team_names(tx: Tx) -> list[tuple[UUID, str, UUID]]:
    """(team id, name, collaborative id) of every team, by name."""
    rows = tx.fetchall(f"SELECT team_id, name, collaborative_id FROM {TEAM} ORDER BY name")
    return [(UUID(str(t)), str(n), UUID(str(c))) for t, n, c in rows]
