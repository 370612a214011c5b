"""The credit ledger's tables: the entries, and the facts the rules need
(people, CE activities, disciplines, team members, PDSA cycles, data months,
attestations). Portable SQL for SQLite and PostgreSQL."""

from __future__ import annotations

ENTRIES = "rm_credit_entries"
ENTRY_COLUMNS = (
    "entry_id",
    "source_position",
    "ordinal",
    "participant_id",
    "collaborative_id",
    "activity_id",
    "team_id",
    "accrediting_body",
    "credit_type",
    "unit",
    "amount",
    "credit_date",
    "recorded_at",
    "rule_version",
    "minutes",
    "basis",
    "reverses",
)
PARTICIPANTS = "rm_credit_participants"
ACTIVITIES = "rm_credit_activities"
DISCIPLINES = "rm_credit_disciplines"
MEMBERS = "rm_credit_members"
CYCLES = "rm_credit_cycles"
MONTHS = "rm_credit_months"
ATTESTATIONS = "rm_credit_attestations"
ATTENDANCE = "rm_credit_attendance"  # every attendance of a CE activity, corrections kept beside
# Every version of a learner's ids and of an activity's, by the position that recorded it, so a
# report made as of a past moment names them as they stood then, whenever it is re-made.
LEARNER_IDS = "rm_credit_learner_ids"
ACTIVITY_IDS = "rm_credit_activity_ids"


TABLES: dict[str, str] = {
    ENTRIES: (
        f"CREATE TABLE IF NOT EXISTS {ENTRIES} (entry_id TEXT PRIMARY KEY, "
        "source_position BIGINT NOT NULL, ordinal INTEGER NOT NULL, participant_id TEXT NOT NULL, "
        "collaborative_id TEXT, activity_id TEXT, team_id TEXT, accrediting_body TEXT NOT NULL, "
        "credit_type TEXT NOT NULL, unit TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL, "
        "credit_date TEXT NOT NULL, recorded_at TEXT NOT NULL, rule_version TEXT NOT NULL, "
        "minutes INTEGER, basis TEXT NOT NULL, reverses TEXT)"
    ),
    PARTICIPANTS: (
        f"CREATE TABLE IF NOT EXISTS {PARTICIPANTS} (participant_id TEXT PRIMARY KEY, "
        "name TEXT NOT NULL, licences TEXT NOT NULL, learner TEXT)"
    ),
    ACTIVITIES: (
        f"CREATE TABLE IF NOT EXISTS {ACTIVITIES} (activity_id TEXT PRIMARY KEY, "
        "collaborative_id TEXT, title TEXT NOT NULL, activity_date TEXT NOT NULL, "
        "credit_types TEXT NOT NULL, max_hours DOUBLE PRECISION NOT NULL, accrediting_body TEXT NOT NULL, "
        "accreditor TEXT)"
    ),
    # Per collaborative: a team of another collaborative cannot change the discipline
    # (so the credit type) of this collaborative's attendance.
    DISCIPLINES: (
        f"CREATE TABLE IF NOT EXISTS {DISCIPLINES} (participant_id TEXT NOT NULL, "
        "collaborative_id TEXT NOT NULL, discipline TEXT NOT NULL, PRIMARY KEY (participant_id, collaborative_id))"
    ),
    MEMBERS: (
        f"CREATE TABLE IF NOT EXISTS {MEMBERS} (team_id TEXT NOT NULL, participant_id TEXT NOT NULL, "
        "discipline TEXT NOT NULL, collaborative_id TEXT, PRIMARY KEY (team_id, participant_id))"
    ),
    CYCLES: (
        f"CREATE TABLE IF NOT EXISTS {CYCLES} (cycle_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, "
        "parent_id TEXT, acted INTEGER NOT NULL)"
    ),
    MONTHS: (
        f"CREATE TABLE IF NOT EXISTS {MONTHS} (team_id TEXT NOT NULL, period TEXT NOT NULL, "
        "PRIMARY KEY (team_id, period))"
    ),
    ATTESTATIONS: (
        f"CREATE TABLE IF NOT EXISTS {ATTESTATIONS} (team_id TEXT NOT NULL, participant_id TEXT NOT NULL, "
        "PRIMARY KEY (team_id, participant_id))"
    ),
    ATTENDANCE: (
        f"CREATE TABLE IF NOT EXISTS {ATTENDANCE} (activity_id TEXT NOT NULL, participant_id TEXT NOT NULL, "
        "source_position BIGINT NOT NULL, minutes INTEGER NOT NULL, recorded_at TEXT NOT NULL, "
        "PRIMARY KEY (activity_id, participant_id, source_position))"
    ),
    LEARNER_IDS: (
        f"CREATE TABLE IF NOT EXISTS {LEARNER_IDS} (participant_id TEXT NOT NULL, source_position BIGINT NOT NULL, "
        "recorded_at TEXT NOT NULL, learner TEXT, PRIMARY KEY (participant_id, source_position))"
    ),
    ACTIVITY_IDS: (
        f"CREATE TABLE IF NOT EXISTS {ACTIVITY_IDS} (activity_id TEXT NOT NULL, source_position BIGINT NOT NULL, "
        "recorded_at TEXT NOT NULL, accreditor TEXT, PRIMARY KEY (activity_id, source_position))"
    ),
}
INDEXES: tuple[str, ...] = (
    f"CREATE INDEX IF NOT EXISTS {ENTRIES}_participant ON {ENTRIES} (participant_id, source_position)",
    f"CREATE INDEX IF NOT EXISTS {ENTRIES}_collaborative ON {ENTRIES} (collaborative_id, source_position)",
    f"CREATE INDEX IF NOT EXISTS {ENTRIES}_attendance ON {ENTRIES} (activity_id, participant_id)",
    f"CREATE INDEX IF NOT EXISTS {ENTRIES}_reverses ON {ENTRIES} (reverses)",
    f"CREATE INDEX IF NOT EXISTS {CYCLES}_team ON {CYCLES} (team_id)",
)
