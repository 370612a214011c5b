"""The progress-score read model: every team's latest score per month and rater, with the
position of the event it came from, so the collaborative's distribution, each team's
course and the disagreements between a team and its coach are one query each
(read in engine/queries/progress.py). The rationale stays as stored: sealed."""

from __future__ import annotations

from aggregates import team
from projections.base import Projection, Recorded, Tx, ddl, personal_text, upsert

SCORES = "rm_progress_scores"
TABLES = {
    SCORES: ddl(
        SCORES,
        "team_id TEXT NOT NULL, collaborative_id TEXT NOT NULL, month TEXT NOT NULL, rater TEXT NOT NULL, "
        "score DOUBLE PRECISION NOT NULL, rationale TEXT NOT NULL, scored_by TEXT NOT NULL, "
        "scored_at TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (team_id, month, rater)",
    )
}
INDEXES = (f"CREATE INDEX IF NOT EXISTS {SCORES}_collaborative ON {SCORES} (collaborative_id, month)",)


def _scored(tx: Tx, r: Recorded) -> None:
    e: team.ProgressScored = r.event
    upsert(tx, SCORES, ("team_id", "month", "rater"), {
        "team_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "month": e.month,
        "rater": e.rater.value, "score": e.score, "rationale": personal_text(e.rationale),
        "scored_by": e.actor_id, "scored_at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


class Progress(Projection):
    name = "progress"
    tables = TABLES
    indexes = INDEXES
    handlers = {team.ProgressScored: _scored}
