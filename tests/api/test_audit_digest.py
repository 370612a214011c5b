"""The audit digest over HTTP: the head of the chain, signed with a key the database
does not hold; and moments the API cannot represent refused by name, not with a 500."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Role
from engine.application import QIEngine
from engine.audit_digest import AuditDigest
from engine.audit_key import generate_pem
from engine.settings import Settings
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock

OUT_OF_RANGE = {
    "since": "0001-01-01T00:00:00+01:00",
    "until": "9999-12-31T23:59-01:00",
}


@pytest.fixture
def app_engine(tmp_path: Path, clock: Clock) -> Iterator[QIEngine]:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), audit_key=generate_pem()), clock)
    yield engine
    engine.close()


@pytest.mark.parametrize("parameter", ["since", "until"])
def test_an_audit_filter_moment_beyond_the_utc_calendar_is_a_422_naming_the_parameter(
    staff: Api, parameter: str
) -> None:
    response = staff.get("/audit", **{parameter: OUT_OF_RANGE[parameter]})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["query", parameter]
    assert "outside the years 1 to 9999 in UTC" in problem["detail"]


@pytest.mark.parametrize("moment", OUT_OF_RANGE.values())
def test_an_as_of_moment_beyond_the_utc_calendar_is_a_422_naming_as_of(
    staff: Api, clock: Clock, moment: str
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("registration")
    for path in (f"/collaboratives/{flow.collaborative}", f"/teams/{flow.teams[0]}"):
        response = staff.get(path, as_of=moment)
        assert response.status_code == 422, f"{path}: {response.text}"
        assert response.json()["errors"][0]["loc"] == ["query", "as_of"]


def test_staff_and_auditors_get_the_signed_head_of_the_chain(
    staff: Api, client: TestClient, app_engine: QIEngine, clock: Clock
) -> None:
    HttpFlow(staff, clock).up_to("registration")
    auditor = Api(client, issue(app_engine, Role.AUDITOR, "audrey"))
    digest = AuditDigest.model_validate(auditor.get("/audit/digest").json())
    head = app_engine.recorder.max_notification_id()
    last = staff.get("/audit", after=head - 1).json()[0]
    assert (digest.position, digest.hash, digest.events) == (head, last["hash"], head)
    pem = auditor.get("/audit/digest/public-key")
    assert pem.status_code == 200 and pem.text.startswith("-----BEGIN PUBLIC KEY-----")
    public = load_pem_public_key(pem.text.encode())
    public.verify(base64.b64decode(digest.signature), digest.signed_bytes())  # type: ignore[union-attr]


def test_teams_may_not_read_the_digest_or_its_key(client: TestClient, app_engine: QIEngine) -> None:
    team = Api(client, issue(app_engine, Role.TEAM, "t", team_id=None))
    for path in ("/audit/digest", "/audit/digest/public-key"):
        response = team.get(path)
        assert response.status_code == 403 and "staff and auditors" in response.json()["detail"]


def test_without_an_audit_key_the_digest_routes_say_qi_audit_key_must_be_set(
    tmp_path: Path, clock: Clock
) -> None:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), audit_key=None), clock)
    with TestClient(create_app(engine)) as client:
        staff = Api(client, issue(engine, Role.STAFF, "ann"))
        for path in ("/audit/digest", "/audit/digest/public-key"):
            response = staff.get(path)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "QI_AUDIT_KEY is not set" in response.json()["detail"]
    engine.close()


def test_the_server_records_a_digest_each_interval_once_the_head_moved(tmp_path: Path, clock: Clock) -> None:
    from engine.audit_anchor import DigestLog
    from engine.readstore import ReadStore

    settings = Settings(
        store=str(tmp_path / "qi.sqlite3"), audit_key=generate_pem(), audit_digest_interval=0.1
    )
    engine = QIEngine(settings, clock)
    with TestClient(create_app(engine)):
        issue(engine, Role.STAFF, "ann")
        log = DigestLog(ReadStore(settings))
        deadline = time.monotonic() + 10
        while (last := log.last()) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert last is not None and last.position == engine.recorder.max_notification_id()
        time.sleep(0.3)  # several intervals with no new event: no new digest
        assert log.count() == 1
        log.store.close()
    engine.close()
