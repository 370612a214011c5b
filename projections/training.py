"""The QI-training read model: the modules each collaborative offers, and every attempt at
one (who, how many right, passed or not), so a collaborative's modules, a person's record
and who on a team has done the basics are one query each (engine/queries/training.py).
The credit a passed check earns is the credit ledger's (projections/credits/ledger.py)."""

from __future__ import annotations

from aggregates import training
from projections.base import Projection, Recorded, Tx, ddl, insert_once, json_text

MODULES = "rm_training_modules"
ATTEMPTS = "rm_training_attempts"
TABLES = {
    MODULES: ddl(
        MODULES,
        "module_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, "
        "topics TEXT NOT NULL, questions BIGINT NOT NULL, pass_mark BIGINT, credit TEXT, "
        "published_at TEXT NOT NULL, position BIGINT NOT NULL",
    ),
    ATTEMPTS: ddl(
        ATTEMPTS,
        "position BIGINT PRIMARY KEY, module_id TEXT NOT NULL, participant_id TEXT NOT NULL, "
        "collaborative_id TEXT NOT NULL, answered_right BIGINT NOT NULL, asked BIGINT NOT NULL, "
        "passed BIGINT NOT NULL, at TEXT NOT NULL",
    ),
}
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {MODULES}_collaborative ON {MODULES} (collaborative_id)",
    f"CREATE INDEX IF NOT EXISTS {ATTEMPTS}_person ON {ATTEMPTS} (participant_id)",
)


def _published(tx: Tx, r: Recorded) -> None:
    e: training.ModulePublished = r.event
    m = e.module
    credit = m.credit.model_dump(mode="json") if m.credit else None
    insert_once(tx, MODULES, {
        "module_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "title": m.title,
        "summary": m.summary, "topics": json_text(list(m.topics)), "questions": len(m.check.questions) if m.check else 0,
        "pass_mark": m.check.pass_mark if m.check else None, "credit": json_text(credit) if credit else None,
        "published_at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


def _taken(tx: Tx, r: Recorded) -> None:
    e: training.CheckTaken = r.event
    insert_once(tx, ATTEMPTS, {
        "position": r.position, "module_id": str(e.module_id), "participant_id": str(e.participant_id),
        "collaborative_id": str(e.collaborative_id), "answered_right": e.right, "asked": e.asked,
        "passed": int(e.passed), "at": e.timestamp.isoformat(),
    })  # fmt: skip


class Training(Projection):
    name = "training"
    tables = TABLES
    indexes = INDEXES
    handlers = {training.ModulePublished: _published, training.CheckTaken: _taken}
