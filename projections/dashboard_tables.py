"""The dashboard read model's tables: their names, shapes and indexes, imported by
the projection (`dashboard.py`) and by the queries that read them
(`dashboard_view.py`, `charts.py`). Portable SQL for SQLite and PostgreSQL."""

from __future__ import annotations

from projections.base import ddl

COLLABORATIVE = "rm_dash_collaborative"
TEAM = "rm_dash_team"
MEMBER = "rm_dash_member"
ACTIVITY = "rm_dash_activity"
ATTENDANCE = "rm_dash_attendance"
CYCLE = "rm_dash_cycle"
MEASURE = "rm_dash_measure"
POINT = "rm_dash_point"
CHART = "rm_dash_chart"  # the decisions about each measure chart (chart_settings.py)


TABLES = {
    COLLABORATIVE: ddl(
        COLLABORATIVE,
        "collaborative_id TEXT PRIMARY KEY, title TEXT NOT NULL, phase TEXT NOT NULL, "
        "focus TEXT NOT NULL, measures TEXT NOT NULL, settings TEXT NOT NULL, history TEXT NOT NULL, "
        "version BIGINT NOT NULL DEFAULT 0, created_position BIGINT NOT NULL DEFAULT 0",
    ),
    TEAM: ddl(
        TEAM,
        "team_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, name TEXT NOT NULL, "
        "care_setting TEXT NOT NULL, active INTEGER NOT NULL, coach_id TEXT, "
        "assessment_score DOUBLE PRECISION, shared INTEGER NOT NULL",
    ),
    MEMBER: ddl(
        MEMBER,
        "team_id TEXT NOT NULL, participant_id TEXT NOT NULL, PRIMARY KEY (team_id, participant_id)",
    ),
    ACTIVITY: ddl(
        ACTIVITY,
        "activity_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, "
        "starts_at TEXT NOT NULL, team_id TEXT",
    ),
    ATTENDANCE: ddl(
        ATTENDANCE,
        "activity_id TEXT NOT NULL, participant_id TEXT NOT NULL, minutes BIGINT NOT NULL, "
        "PRIMARY KEY (activity_id, participant_id)",
    ),
    CYCLE: ddl(
        CYCLE,
        "cycle_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, stage TEXT NOT NULL, decision TEXT, "
        "title TEXT NOT NULL, planned_period TEXT NOT NULL",
    ),
    MEASURE: ddl(
        MEASURE,
        "team_id TEXT NOT NULL, measure_key TEXT NOT NULL, definition TEXT NOT NULL, status TEXT, "
        "PRIMARY KEY (team_id, measure_key)",
    ),
    POINT: ddl(
        POINT,
        "team_id TEXT NOT NULL, measure_key TEXT NOT NULL, period TEXT NOT NULL, "
        "numerator DOUBLE PRECISION NOT NULL, denominator DOUBLE PRECISION, "
        "PRIMARY KEY (team_id, measure_key, period)",
    ),
    CHART: ddl(
        CHART,
        "chart_id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, measure_key TEXT NOT NULL, "
        "collaborative_id TEXT NOT NULL, state TEXT NOT NULL",
    ),
}
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS rm_dash_team_collaborative ON {TEAM} (collaborative_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_activity_collaborative ON {ACTIVITY} (collaborative_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_cycle_team ON {CYCLE} (team_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_chart_collaborative ON {CHART} (collaborative_id)",
)
