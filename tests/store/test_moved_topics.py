"""History stored before the identity and bookkeeping classes moved from engine/ to
aggregates/ still reads: tokens still authenticate, a retried command still finds its
first record, and every read model still projects it (engine/topics.py)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from aggregates.base import Actor, Role
from aggregates.collaborative import FocusFields
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.commands.collaborative import CreateCollaborative
from engine.read_models import ReadModels
from engine.settings import Settings
from engine.topics import MOVED

STAFF = Actor(id="staff-ann", role=Role.STAFF)


def _as_stored_before_the_move(store: Path) -> int:
    """Rewrite every stored topic of a moved class to its old module, as older installs wrote it."""
    renamed = 0
    with sqlite3.connect(store) as db:
        for old, new in MOVED.items():
            for table in ("stored_events", "stored_snapshots"):
                renamed += db.execute(
                    f"UPDATE {table} SET topic = ? || substr(topic, ?) WHERE topic LIKE ?",
                    (old, len(new) + 1, f"{new}:%"),
                ).rowcount
    return renamed


def test_tokens_and_command_records_stored_under_their_old_topics_still_read(tmp_path: Path) -> None:
    store = tmp_path / "qi.sqlite3"
    settings = Settings(store=str(store))
    engine = QIEngine(settings)
    secret = engine.issue_token(Grant(name="before the move", role=Role.STAFF), engine.context(STAFF))
    create = CreateCollaborative(
        title="PRQC",
        focus=FocusFields(
            focus_area="Pediatric readiness",
            aim="Weigh children in kg",
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 12, 31),
        ),
    )
    first = engine.execute(create, engine.context(STAFF, "create-prqc"))
    collaborative = first.id
    engine.close()

    assert _as_stored_before_the_move(store) == 2  # the token issued, the command accepted

    reopened = QIEngine(settings)
    principal = reopened.authenticate(secret)
    assert principal is not None and principal.name == "before the move"
    assert [t.state.name for t in reopened.tokens()] == ["before the move"]
    head = reopened.recorder.max_notification_id()
    assert reopened.execute(create, reopened.context(STAFF, "create-prqc")) == first
    assert reopened.recorder.max_notification_id() == head  # the retry found its old-topic record
    models = ReadModels(reopened)
    assert models.dashboard(collaborative) is not None
    assert models.verify_audit().ok
    assert models.failures() == {}
    models.close()
    reopened.close()
