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
# Kept as events arrive, so a collaborative-level figure costs the same at 50 teams or 5,000:
MONTH = "rm_dash_month"  # each measure's monthly sums over the active teams (dashboard_sums.py)
TALLY = "rm_dash_tally"  # teams by care setting: active, withdrawn, assessed (dashboard_tally.py)


TABLES = {
    COLLABORATIVE: ddl(
        COLLABORATIVE,
        "collaborative_id TEXT PRIMARY KEY, title TEXT NOT NULL, phase TEXT NOT NULL, "
        "focus TEXT NOT NULL, measures TEXT NOT NULL, settings TEXT NOT NULL, history TEXT NOT NULL, "
        "version BIGINT NOT NULL DEFAULT 0, created_position BIGINT NOT NULL DEFAULT 0, "
        # the position of the last event that changed its activities' figures (dashboard_kept.py)
        "activities_at BIGINT NOT NULL DEFAULT 0",
    ),
    TEAM: ddl(
        TEAM,
        "team_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, name TEXT NOT NULL, "
        "care_setting TEXT NOT NULL, active INTEGER NOT NULL, coach_id TEXT, "
        "assessment_score DOUBLE PRECISION, shared INTEGER NOT NULL, "
        # the position of the last event that changed what the dashboard shows of it (dashboard_kept.py)
        "changed_at BIGINT NOT NULL DEFAULT 0",
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
        # the team's, so the collaborative's chart finds its definition by an index
        "collaborative_id TEXT NOT NULL, active INTEGER NOT NULL, PRIMARY KEY (team_id, measure_key)",
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
    # Sums are exact fractions ("p/q" text) of the stored doubles: a correction or a withdrawal
    # takes out exactly what was put in, and the chart rounds once, as fsum does.
    MONTH: ddl(
        MONTH,
        "collaborative_id TEXT NOT NULL, measure_key TEXT NOT NULL, period TEXT NOT NULL, "
        "points BIGINT NOT NULL, numerator TEXT NOT NULL, "  # every point
        "ratio_points BIGINT NOT NULL, ratio_numerator TEXT NOT NULL, denominator TEXT NOT NULL, "  # with a denominator
        "PRIMARY KEY (collaborative_id, measure_key, period)",
    ),
    TALLY: ddl(
        TALLY,
        "collaborative_id TEXT NOT NULL, care_setting TEXT NOT NULL, active BIGINT NOT NULL, "
        "withdrawn BIGINT NOT NULL, assessed BIGINT NOT NULL, PRIMARY KEY (collaborative_id, care_setting)",
    ),
}
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS rm_dash_team_collaborative ON {TEAM} (collaborative_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_activity_collaborative ON {ACTIVITY} (collaborative_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_cycle_team ON {CYCLE} (team_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_chart_collaborative ON {CHART} (collaborative_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_team_changed ON {TEAM} (collaborative_id, changed_at)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_measure_first ON {MEASURE} (collaborative_id, measure_key, active, team_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_member_participant ON {MEMBER} (participant_id)",
    f"CREATE INDEX IF NOT EXISTS rm_dash_attendance_participant ON {ATTENDANCE} (participant_id)",
)
