"""A store written before personal data was sealed holds names and licence numbers in
plain text in its events, snapshots and read models. Sealing it in place (`qi keys
seal-stored`) leaves no personal value in plain text anywhere in the store; afterwards the
engine reads the person as before, an erasure recorded before sealing takes effect, a
later erasure erases, the audit verifies and a rebuild equals the live read models.
On both stores, and through the command an operator runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Actor, Role
from aggregates.participant import PersonDetails
from engine.application import QIEngine
from engine.commands.activity import RegisterParticipant
from engine.feed import read_feed
from engine.read_models import ReadModels
from engine.settings import Settings
from engine.stored_sealing import compact, find_plain, seal_stored, tables
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.privacy.test_erasure import PERSON, VALUES, Store, _hits, _rebuild_equals_live, a_person_at_work

ERASED_EARLIER = {"name": "Ottoline Brackenbury", "email": "ob5@brackenbury.example"}
ERASED_VALUES = ("Ottoline", "Brackenbury", "ob5@brackenbury")
SYSTEM = Actor(id="setup", role=Role.SYSTEM)


def test_a_store_from_before_sealing_is_sealed_in_place_and_then_erases_like_any_other(
    engine: QIEngine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    sealer, engine.mapper.sealer = engine.mapper.sealer, None  # type: ignore[attr-defined]  # as engines stored before
    with TestClient(create_app(engine)) as client:
        staff = Api(client, issue(engine, Role.STAFF, "ann"))
        subscriber = Api(client, issue(engine, Role.SUBSCRIBER, "downstream"))
        store = Store(engine, staff, subscriber, caplog)
        flow = HttpFlow(staff, clock)
        flow.up_to("sessions")
        person = a_person_at_work(flow)
        for n in range(6):  # enough versions for a snapshot of their participant
            details = PERSON | {"credentials": f"CPEN-QX7 {n}"}
            assert client.put(
                f"/participants/{person}", json={"details": details}, headers=staff.headers()
            ).is_success
        earlier = staff.ok("/participants", {"details": ERASED_EARLIER})["id"]
        assert (
            staff.post(f"/participants/{earlier}/erasure", {"reason": "asked, 2 Mar 2025"}).status_code == 200
        )
        client.app.state.read_models.wait_for()  # type: ignore[attr-defined]
        credit = staff.get(f"/participants/{person}/transcript").json()["totals"]

    assert _hits(store.tables()) == set(VALUES), "the old store holds every value in plain text"
    assert _hits(store.tables(), ERASED_VALUES) == set(ERASED_VALUES), "an erasure could not reach them"
    found = find_plain(engine)
    assert found.events["CoachingNoteAdded"] == found.events["MocPart4Attested"] == 1, found.describe()
    assert found.events["ParticipantDetailsUpdated"] == 6 and found.snapshots["Participant snapshot"] == 1

    engine.mapper.sealer = sealer  # type: ignore[attr-defined]  # the engine of today
    sealed = seal_stored(engine)
    assert sealed == found
    assert find_plain(engine).count == 0, "running it again finds nothing"
    compact(engine.settings, tables(engine))

    with TestClient(create_app(engine)) as client:
        models: ReadModels = client.app.state.read_models  # type: ignore[attr-defined]
        models.runner.rebuild_all()
        staff = Api(client, issue(engine, Role.STAFF, "ann"))
        subscriber = Api(client, issue(engine, Role.SUBSCRIBER, "downstream"))
        store = Store(engine, staff, subscriber, caplog)
        caplog.clear()

        assert _hits(store.plain()) == set(), "plain text left in the store, the feed or the log"
        assert _hits(store.opened()) == set(VALUES), "each value sealed under its person's key"
        assert _hits(store.opened(ce_record=True), ERASED_VALUES) == {"Ottoline", "Brackenbury"}
        assert _hits(store.opened(), ERASED_VALUES) == set(), "the earlier erasure took effect"
        shown = staff.get(f"/participants/{person}").json()["details"]
        assert shown["name"] == PERSON["name"] and shown["credentials"] == "CPEN-QX7 5"
        assert staff.get(f"/participants/{earlier}").json()["details"]["name"] == "erased person"
        assert staff.get(f"/participants/{person}/transcript").json()["totals"] == credit
        assert staff.get("/audit/verify").json()["ok"] is True
        _rebuild_equals_live(models)

        assert (
            staff.post(f"/participants/{person}/erasure", {"reason": "asked, 1 Dec 2026"}).status_code == 200
        )
        assert _hits(store.plain()) == set() and _hits(store.opened()) == set()
        assert staff.get("/audit/verify").json()["ok"] is True
        _rebuild_equals_live(models)


QI = [sys.executable, "-m", "adapters.cli"]


def test_the_operator_checks_seals_with_a_reason_and_the_sealing_is_recorded(tmp_path: Path) -> None:
    store = str(tmp_path / "qi.sqlite3")
    engine = QIEngine(Settings(store=store))
    engine.mapper.sealer = None  # type: ignore[attr-defined]  # an engine from before sealing
    people = [
        engine.execute(
            RegisterParticipant(
                details=PersonDetails(name=f"Wendeline Ashgrove {n}", email=f"wa{n}@ash.example")
            ),
            engine.context(SYSTEM),
        ).id
        for n in range(3)
    ]
    ReadModels(engine).wait_for()
    engine.close()
    env = dict(os.environ) | {"QI_STORE": store, "COLUMNS": "200"}

    def qi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*QI, "keys", "seal-stored", *args], env=env, capture_output=True, text=True, timeout=120
        )

    checked = qi("--check")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert (
        "3 event(s) and 0 snapshot(s) hold personal values in plain text (ParticipantRegistered 3)"
        in checked.stdout
    )
    unexplained = qi()
    assert unexplained.returncode == 2 and "say why the stored events are rewritten" in unexplained.stderr
    done = qi("--reason", "upgrade to sealed personal data, ticket 4411")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sealed: 3 event(s) and 0 snapshot(s) held personal values" in done.stdout
    again = qi("--check")
    assert again.returncode == 0 and "no stored event or snapshot holds a personal value" in again.stdout

    raw = "\n".join(p.read_bytes().decode(errors="replace") for p in tmp_path.glob("qi*.sqlite3*"))
    assert "Wendeline" not in raw and "ash.example" not in raw
    engine = QIEngine(Settings(store=store))
    try:
        assert [engine.participant(p).state.details.name for p in people] == [
            f"Wendeline Ashgrove {n}" for n in range(3)
        ]
        (recorded,) = [e for e in read_feed(engine, 0, 1000) if e.type == "org.qi.StoredValuesSealed"]
        assert recorded.data["reason"] == "upgrade to sealed personal data, ticket 4411"
        assert recorded.data["events"] == 3 and recorded.data["snapshots"] == 0
    finally:
        engine.close()
    verified = subprocess.run([*QI, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
