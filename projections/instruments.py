"""The assessment-instrument read model: each collaborative's instruments (title, kind,
latest version) and every team's instrument scores (overall and per domain, with the
version answered), so listing a collaborative's instruments and the collaborative's median
per domain for one version are one query each (engine/queries/instruments.py)."""

from __future__ import annotations

from aggregates import assessment_instrument as instrument
from aggregates import team
from projections.base import Projection, Recorded, Tx, ddl, json_text, upsert

INSTRUMENTS = "rm_instruments"
SCORES = "rm_instrument_scores"
TABLES = {
    INSTRUMENTS: ddl(
        INSTRUMENTS,
        "instrument_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, title TEXT NOT NULL, "
        "kind TEXT NOT NULL, version INTEGER NOT NULL, published_at TEXT NOT NULL",
    ),
    SCORES: ddl(
        SCORES,
        "assessment_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, collaborative_id TEXT NOT NULL, "
        "instrument_id TEXT NOT NULL, version INTEGER NOT NULL, score TEXT NOT NULL, "
        "assessed_at TEXT NOT NULL, position BIGINT NOT NULL",
    ),
}
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {INSTRUMENTS}_collaborative ON {INSTRUMENTS} (collaborative_id)",
    f"CREATE INDEX IF NOT EXISTS {SCORES}_instrument ON {SCORES} (instrument_id, version)",
)


def _published(tx: Tx, r: Recorded) -> None:
    e: instrument.InstrumentPublished | instrument.InstrumentRevised = r.event
    row = {
        "instrument_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id),
        "title": e.definition.title, "kind": e.definition.kind.value, "version": e.version,
        "published_at": e.timestamp.isoformat(),
    }  # fmt: skip
    upsert(tx, INSTRUMENTS, ("instrument_id",), row)


def _assessed(tx: Tx, r: Recorded) -> None:
    e: team.InstrumentAssessed = r.event
    upsert(tx, SCORES, ("assessment_id",), {
        "assessment_id": str(e.assessment_id), "team_id": str(e.originator_id),
        "collaborative_id": str(e.collaborative_id), "instrument_id": str(e.instrument_id),
        "version": e.version, "score": json_text(e.score.model_dump(mode="json")),
        "assessed_at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


class Instruments(Projection):
    name = "instruments"
    tables = TABLES
    indexes = INDEXES
    handlers = {
        instrument.InstrumentPublished: _published,
        instrument.InstrumentRevised: _published,
        team.InstrumentAssessed: _assessed,
    }
