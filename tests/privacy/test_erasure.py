"""A person with distinctive values in every personal field is run through a collaborative
(membership, attendance with CE credit, a coaching note about them, an MOC attestation),
then erased. Every table of the store (events, snapshots, read models, positions, audit,
keys), the feed, the file store and the server log are searched for each value: in plain
text, and inside every sealed value the engine can still open. Before erasure the values
are only inside sealed values (and subscribers never see them); after it, only what the CE
record keeps opens, and for CE records only; after the retention period, nothing does.
History still verifies, and a rebuild equals the live read models. On both stores."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Role
from engine.application import QIEngine
from engine.read_models import ReadModels
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock

PERSON = {
    "name": "Zephyrine Quillfeather",
    "credentials": "CPEN-QX7",
    "email": "zq7@quillfeather.example",
    "licences": [
        {"kind": "NPI", "number": "9912345678"},
        {"kind": "RN", "number": "RNQX-4411", "issuer": "MT"},
    ],
}
NOTE = "Quillfeather froze at triage QXNOTE"
STATEMENT = "QXATTEST I weighed every child in kilograms"
VALUES = (
    "Zephyrine",
    "Quillfeather",
    "CPEN-QX7",
    "zq7@quillfeather",
    "9912345678",
    "RNQX-4411",
    "QXNOTE",
    "QXATTEST",
)
KEPT_FOR_CE = {"Zephyrine", "Quillfeather", "9912345678", "RNQX-4411"}  # name and licences
SEALED = re.compile(r'\{\\?"sealed\\?":\\?"([A-Za-z0-9_=-]+)\\?",\\?"key\\?":\\?"([0-9a-f-]{36})\\?"\}')


class Store:
    """Everything the engine keeps or hands out, as text, to search."""

    def __init__(self, engine: QIEngine, api: Api, subscriber: Api, log: pytest.LogCaptureFixture) -> None:
        self.engine, self.api, self.subscriber, self.log = engine, api, subscriber, log

    def tables(self) -> str:
        settings = self.engine.settings
        if settings.uses_postgres:
            return "\n".join(_postgres_rows(settings.store))
        return "\n".join(
            r for file in (settings.store, settings.read_models_store) for r in _sqlite_rows(file)
        )

    def handed_out(self) -> str:
        """What subscribers read, the file store, and the server's log."""
        feed, after = [], 0
        while events := self.subscriber.get("/events", after=after, limit=1000).json()["events"]:
            feed.append(json.dumps(events))
            after = events[-1]["position"]
        folder = self.engine.settings.files_folder
        files = [p.read_bytes().decode(errors="replace") for p in folder.rglob("*") if p.is_file()]
        return "\n".join([*feed, *files, self.log.text])

    def plain(self) -> str:
        return self.tables() + "\n" + self.handed_out()

    def opened(self, ce_record: bool = False) -> str:
        """The open form of every sealed value found anywhere that the engine can still open."""
        found = []
        for box, key in set(SEALED.findall(self.plain())):
            ok, value = self.engine.sealer.open({"sealed": box, "key": key}, ce_record=ce_record)
            if ok:
                found.append(orjson.dumps(value).decode())
        return "\n".join(found)


def _sqlite_rows(file: str) -> Iterator[str]:
    with sqlite3.connect(file) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for row in db.execute(f'SELECT * FROM "{table}"'):
                yield table + ": " + " | ".join(_text(v) for v in row)


def _postgres_rows(url: str) -> Iterator[str]:
    import psycopg

    with psycopg.connect(url) as db:
        tables = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        for (table,) in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                yield table + ": " + " | ".join(_text(v) for v in row)


def _text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode(errors="replace")
    return str(value)


def _hits(text: str, values: Any = VALUES) -> set[str]:
    return {v for v in values if v in text}


def test_an_erased_person_is_unreadable_everywhere_but_their_ce_record_until_retention_ends(
    engine: QIEngine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(engine)) as client:
        staff = Api(client, issue(engine, Role.STAFF, "ann"))
        subscriber = Api(client, issue(engine, Role.SUBSCRIBER, "downstream"))
        store = Store(engine, staff, subscriber, caplog)
        flow = HttpFlow(staff, clock)
        flow.up_to("sessions")
        person = a_person_at_work(flow)
        credit_before = staff.get(f"/participants/{person}/transcript").json()["totals"]
        assert credit_before, "the person earned CE credit"
        assert _hits(json.dumps(staff.get(f"/participants/{person}/export").json())) == set(VALUES)

        assert _hits(store.plain()) == set(), "personal data in plain text before erasure"
        assert _hits(store.opened()) == set(VALUES), "the search must find what is sealed"

        erased = staff.post(f"/participants/{person}/erasure", {"reason": "asked by email, 30 Nov 2026"})
        assert erased.status_code == 200, erased.text

        assert _hits(store.plain()) == set()
        assert _hits(store.opened()) == set(), "only CE records may still open anything of theirs"
        assert _hits(store.opened(ce_record=True)) == KEPT_FOR_CE
        shown = staff.get(f"/participants/{person}").json()
        assert shown["details"]["name"] == "erased person" and shown["ce_record_kept_until"]
        exported = json.dumps(staff.get(f"/participants/{person}/export").json())
        assert _hits(exported) == KEPT_FOR_CE  # what is still held of them: their CE record
        transcript = staff.get(f"/participants/{person}/transcript").json()
        assert transcript["name"] == PERSON["name"] and transcript["totals"] == credit_before  # kept for CE
        kept = staff.get(f"/participants/{person}/erasure").json()
        assert kept["kept"] == ["name", "licences"] and kept["erased_at"]
        assert staff.get("/audit/verify").json()["ok"] is True
        _rebuild_equals_live(client.app.state.read_models)  # type: ignore[attr-defined]

        clock.advance(days=6 * 366)
        engine.erasures.sweep()

        assert _hits(store.plain()) == set()
        assert _hits(store.opened(ce_record=True)) == set(), "retention ended: nothing of theirs opens"
        transcript = staff.get(f"/participants/{person}/transcript").json()
        assert transcript["name"] == "erased person" and transcript["totals"] == credit_before
        assert staff.get(f"/participants/{person}/erasure").json()["kept"] == []
        assert _hits(json.dumps(staff.get(f"/participants/{person}/export").json())) == set()
        assert staff.get("/audit/verify").json()["ok"] is True
        _rebuild_equals_live(client.app.state.read_models)  # type: ignore[attr-defined]


def a_person_at_work(flow: HttpFlow) -> str:
    """PERSON made a physician on the flow's first team, attending its session for CE credit,
    with a coaching note about them and their MOC attestation: their participant id."""
    team = flow.teams[0]
    enrolled = flow.ok(f"/teams/{team}/members", {"member": {"person": PERSON, "discipline": "physician"}})
    person: str = enrolled["created"]["Participant"][0]
    flow.ok(f"/activities/{flow.session}/attendance", {"participant_id": person, "minutes": 90})
    flow.ok(f"/teams/{team}/coaching-notes", {"text": NOTE, "about": person})
    flow.ok(f"/participants/{person}/attestations", {"team_id": team, "statement": STATEMENT})
    return person


def _rebuild_equals_live(models: ReadModels) -> None:
    models.wait_for()
    tables = [t for p in models.runner.projections.values() for t in p.tables]
    live = {t: _rows(models, t) for t in tables}
    models.runner.rebuild_all()
    assert {t: _rows(models, t) for t in tables} == live


def _rows(models: ReadModels, table: str) -> list[tuple[Any, ...]]:
    with models.store.transaction() as tx:
        return sorted(tx.fetchall(f"SELECT * FROM {table}"), key=repr)


def test_a_person_never_erased_reaches_subscribers_sealed_and_staff_open(
    sqlite_engine: QIEngine, clock: Clock, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    with TestClient(create_app(sqlite_engine)) as client:
        staff = Api(client, issue(sqlite_engine, Role.STAFF, "ann"))
        subscriber = Api(client, issue(sqlite_engine, Role.SUBSCRIBER, "downstream"))
        flow = HttpFlow(staff, clock)
        flow.up_to("registration")
        person = staff.ok("/participants", {"details": PERSON})["id"]

        feed = subscriber.get("/events", after=0, limit=1000).json()["events"]
        registered = next(
            e for e in feed if e["type"] == "org.qi.ParticipantRegistered" and e["subject"] == person
        )
        details = registered["data"]["details"]
        assert set(details["name"]) == {"sealed", "key"} and set(details["licences"]) == {"sealed", "key"}
        assert _hits(json.dumps(feed)) == set()
        assert staff.get(f"/participants/{person}").json()["details"]["name"] == PERSON["name"]
