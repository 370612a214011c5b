"""Tampering: stored history altered, deleted or reordered behind the engine's back,
directly in the database; and every route that is not a read, tried.

Proves: `qi audit verify` names the first bad position and exits non-zero for
each kind of tampering (and exits 0 on untouched history); tampering that leaves
the chain intact (truncation, a rebuild over an edit) fails against a digest
saved before it (see tampering_digest.py); no route reads or
writes events or audit entries other than by GET; every PUT/PATCH/DELETE route
is a command that appends events and leaves every earlier event byte-identical.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from adapters.app import create_app
from engine.application import QIEngine
from engine.settings import Settings
from scripts.drills.load import Target, set_up
from scripts.drills.processes import SHARED_POSTGRES, fresh_store, workspace
from scripts.drills.report import DrillReport
from scripts.drills.tampering_digest import audited_head, digest_cases

PROVES = (
    "an altered, deleted or reordered stored event: qi audit verify names the first bad position "
    "and fails; a truncation, or a rebuild over an edited event, fails against a saved digest and "
    "the rebuild is refused without a recorded reason; no route alters history"
)
KINDS = ("altered", "deleted", "reordered")
HISTORY = ("/events", "/audit")
Record = tuple[int, str, int, str, bytes]


def tampering(store_kind: str, postgres: str = SHARED_POSTGRES) -> DrillReport:
    report = DrillReport("tampering", PROVES, store_kind)
    with workspace("tampering", report) as folder:
        for kind in KINDS:
            with fresh_store(store_kind, folder / kind, postgres) as store:
                _tamper_and_verify(report, store, kind)
        digest_cases(
            report, folder, lambda path: fresh_store(store_kind, path, postgres), set_up, _sql, _alter
        )
        with fresh_store(store_kind, folder / "api", postgres) as store:
            _routes_cannot_alter_history(report, store, set_up(store))
    return report


def _tamper_and_verify(report: DrillReport, store: str, kind: str) -> None:
    set_up(store)
    head = audited_head(store)
    intact = _verify(store)
    report.check(intact.returncode == 0, f"qi audit verify failed on untouched history: {intact.stdout}")
    position = head // 2
    _TAMPER[kind](store, position)
    done = _verify(store)
    report.count("tamperings tried")
    named = done.returncode != 0 and f"position {position}" in done.stdout
    report.count("tamperings named at the first bad position", named)
    report.check(
        named,
        f"{kind} event at position {position}: qi audit verify exited {done.returncode}: "
        f"{done.stdout.strip()} {done.stderr.strip()[-300:]}",
    )


def _verify(store: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"QI_STORE": store, "QI_PROJECTIONS": "inprocess", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _sql(store: str, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    """Run statements on the events table as someone with database access would."""
    if Settings(store=store).uses_postgres:
        import psycopg

        with psycopg.connect(store, autocommit=False) as conn:
            for sql, params in statements:
                conn.execute(sql.format(t="qi_events", id="notification_id").replace("?", "%s"), params)
        return
    with sqlite3.connect(store) as conn:
        for sql, params in statements:
            conn.execute(sql.format(t="stored_events", id="rowid"), params)


def _alter(store: str, position: int) -> None:
    # A forgery that still decodes: the same event, said to be by someone else.
    engine = QIEngine(Settings(store=store))
    (record,) = engine.recorder.select_notifications(position, 1)
    engine.close()
    forged = bytes(record.state).replace(b'"actor_id":"', b'"actor_id":"mallory-', 1)
    assert forged != bytes(record.state), "the event to alter names no actor"
    _sql(store, [("UPDATE {t} SET state = ? WHERE {id} = ?", (forged, position))])


def _delete(store: str, position: int) -> None:
    _sql(store, [("DELETE FROM {t} WHERE {id} = ?", (position,))])


def _reorder(store: str, position: int) -> None:
    """Swap two neighbouring events' places in the log."""
    _sql(store, [
        ("UPDATE {t} SET {id} = -1 WHERE {id} = ?", (position,)),
        ("UPDATE {t} SET {id} = ? WHERE {id} = ?", (position, position + 1)),
        ("UPDATE {t} SET {id} = ? WHERE {id} = -1", (position + 1,)),
    ])  # fmt: skip


_TAMPER: dict[str, Callable[[str, int], None]] = {
    "altered": _alter,
    "deleted": _delete,
    "reordered": _reorder,
}


def stored_records(engine: QIEngine) -> list[Record]:
    records: list[Record] = []
    position = 0
    while page := engine.recorder.select_notifications(position, 1000, inclusive_of_start=False):
        records += [(n.id, str(n.originator_id), n.originator_version, n.topic, bytes(n.state)) for n in page]
        position = page[-1].id
    return records


def _routes_cannot_alter_history(report: DrillReport, store: str, target: Target) -> None:

    engine = QIEngine(Settings(store=store))
    headers = {"Authorization": f"Bearer {target.token}"}
    with TestClient(create_app(engine), headers=headers) as client:
        paths = client.get("/openapi.json").json()["paths"]
        for path, operations in sorted(paths.items()):
            methods = {m.upper() for m in operations} - {"GET", "HEAD", "OPTIONS"}
            report.count("routes inspected")
            if path.startswith(HISTORY):
                report.check(not methods, f"{path} accepts {sorted(methods)}: history must be read-only")
            for method in sorted(methods - {"POST"}):
                _exercise(report, client, engine, target, method, path)
        for path in ("/events", "/events/1", "/audit", "/audit/1", "/audit/verify"):
            for method in ("PUT", "PATCH", "DELETE", "POST"):
                before = stored_records(engine)
                status = client.request(method, path, json={}).status_code
                report.count("attempts to alter history")
                report.check(
                    status in (404, 405) and stored_records(engine) == before,
                    f"{method} {path} answered {status} or changed the store",
                )
    engine.close()


def _exercise(
    report: DrillReport, client: Any, engine: QIEngine, target: Target, method: str, path: str
) -> None:
    """Call a non-POST write route with a valid request: it must only append events."""
    request = _REQUESTS.get((method, path))
    if request is None:
        report.check(False, f"{method} {path} is not known to the tampering drill: add how to call it")
        return
    url, body = request(client, engine, target)
    before = stored_records(engine)
    response = client.request(method, url, json=body)
    after = stored_records(engine)
    report.count("non-POST write routes exercised")
    report.check(
        response.status_code < 300, f"{method} {url} answered {response.status_code}: {response.text[:200]}"
    )
    report.check(after[: len(before)] == before, f"{method} {path} changed earlier stored events")
    report.check(len(after) > len(before), f"{method} {path} appended no event")


def _remove_member(client: Any, engine: QIEngine, target: Target) -> tuple[str, Any]:
    member = {"person": {"name": "Temporary Member"}, "discipline": "nurse"}
    added = client.post(f"/teams/{target.team}/members", json={"member": member}).json()
    participant = added["created"]["Participant"][0]
    return f"/teams/{target.team}/members/{participant}", None


def _update_participant(client: Any, engine: QIEngine, target: Target) -> tuple[str, Any]:
    member = engine.team(target.team).state.members
    participant = next(iter(member))
    return f"/participants/{participant}", {"details": {"name": "Renamed Person", "credentials": "RN"}}


def _record_activity_ids(client: Any, engine: QIEngine, target: Target) -> tuple[str, Any]:
    """A webinar offering CE, scheduled for the call, and its PARS id."""
    details = {"kind": "learning_session", "title": "Tampering drill webinar", "duration_minutes": 60,
               "starts_at": "2025-06-01T15:00:00Z",
               "ce": {"credit_types": ["cme"], "max_hours": 1, "accrediting_body": "AAP"}}  # fmt: skip
    made = client.post(f"/collaboratives/{target.collaborative}/activities", json={"details": details}).json()
    return f"/activities/{made['id']}/accreditor-ids", {"ids": {"pars_activity_id": "202512345"}}


_REQUESTS: dict[tuple[str, str], Callable[[Any, QIEngine, Target], tuple[str, Any]]] = {
    ("PUT", "/activities/{activity_id}/accreditor-ids"): _record_activity_ids,
    ("DELETE", "/teams/{team_id}/members/{participant_id}"): _remove_member,
    ("PUT", "/participants/{participant_id}"): _update_participant,
}
