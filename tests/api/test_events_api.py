"""The HTTP event feed: pages after a position, and the live stream (server-sent
events) that delivers new events within a second and resumes without gaps."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema  # type: ignore[import-untyped]
import orjson
import pytest
import uvicorn
from cloudevents.core.formats.json import JSONFormat
from fastapi.testclient import TestClient
from pydantic import AnyUrl, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from adapters.app import create_app
from adapters.http.routers.events import OPEN_STREAMS
from aggregates.base import Role
from aggregates.phases import Phase
from engine import web_sessions
from engine.application import QIEngine
from engine.settings import Settings
from tests.api.conftest import Api, issue
from tests.conftest import Clock
from tests.store.lifecycle import Lifecycle


def _positions(engine: QIEngine) -> list[int]:
    return [n.id for n in engine.recorder.select_notifications(0, 100_000, inclusive_of_start=False)]


def test_the_feed_pages_through_every_event_in_log_order(
    staff: Api, app_engine: QIEngine, clock: Clock
) -> None:
    Lifecycle(app_engine, clock).through_every_phase()
    seen: list[int] = []
    after = 0
    while (page := staff.get("/events", after=after, limit=7).json())["events"]:
        seen += [e["position"] for e in page["events"]]
        after = page["next_after"]
        assert page["head"] == app_engine.recorder.max_notification_id()
    assert seen == _positions(app_engine)
    assert page == {"events": [], "next_after": after, "head": after}


def test_a_feed_event_is_a_cloudevent_whose_data_is_the_stored_event(
    staff: Api, app_engine: QIEngine, clock: Clock
) -> None:
    flow = Lifecycle(app_engine, clock)
    flow.create()
    created = staff.get("/events", after=1, limit=1).json()["events"][0]  # 1: the staff token
    collaborative = str(flow.collaborative_id)
    assert created == {
        "specversion": "1.0",
        "id": f"{collaborative}:1",
        "source": "urn:qi-engine:events",
        "type": "org.qi.CollaborativeCreated",
        "subject": collaborative,
        "time": created["data"]["timestamp"],
        "datacontenttype": "application/json",
        "dataschema": "urn:qi-engine:schemas:events#/$defs/CollaborativeCreated",
        "partitionkey": collaborative,
        "position": 2,
        "data": created["data"],
    }
    assert created["data"]["title"] == "PRQC" and created["data"]["originator_version"] == 1


@pytest.mark.parametrize(("role", "status"), [(Role.SUBSCRIBER, 200), (Role.AUDITOR, 200), (Role.STAFF, 200)])
def test_subscribers_auditors_and_staff_read_the_feed(
    client: TestClient, app_engine: QIEngine, role: Role, status: int
) -> None:
    reader = Api(client, issue(app_engine, role, f"reader-{role.value}"))
    assert reader.get("/events").status_code == status


@pytest.mark.parametrize("path", ["/events", "/events/stream"])
def test_coaches_and_teams_may_not_read_the_feed_of_every_collaborative(
    client: TestClient, app_engine: QIEngine, path: str
) -> None:
    coach = Api(client, issue(app_engine, Role.COACH, "cora", participant_id=None))
    team = Api(client, issue(app_engine, Role.TEAM, "tim", team_id=None))
    for caller in (coach, team):
        refused = caller.get(path)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert "event feed" in refused.json()["detail"]
    assert Api(client, None).get(path).status_code == 401


def test_a_subscriber_reads_nothing_but_the_feed(client: TestClient, app_engine: QIEngine) -> None:
    subscriber = Api(client, issue(app_engine, Role.SUBSCRIBER, "downstream"))
    assert subscriber.get("/collaboratives").status_code == 403
    assert subscriber.get("/events").status_code == 200


def test_a_malformed_last_event_id_is_refused_as_bad_input(staff: Api) -> None:
    response = staff.client.get("/events/stream", headers=staff.headers() | {"Last-Event-ID": "abc"})
    assert response.status_code == 422 and "Last-Event-ID" in response.text


BATCH = "application/cloudevents-batch+json"


def _batch(client: TestClient, url: str, token: str, accept: str = BATCH) -> httpx.Response:
    return client.get(url, headers={"Authorization": f"Bearer {token}", "Accept": accept})


def test_a_page_asked_for_as_a_cloudevents_batch_is_an_array_an_sdk_reads_and_links_to_the_next(
    staff: Api, app_engine: QIEngine, clock: Clock
) -> None:
    Lifecycle(app_engine, clock).through_every_phase()
    seen: list[int] = []
    url = "/events?limit=7"
    while events := (response := _batch(staff.client, url, str(staff.token))).json():
        assert response.headers["content-type"] == BATCH and "Accept" in response.headers["vary"]
        assert isinstance(events, list)
        for event in events:  # the SDK reads each member of the batch as a structured event
            read = JSONFormat().read(None, orjson.dumps(event))
            assert read.get_id() == event["id"] and read.get_type() == event["type"]
            assert read.get_extension("position") == event["position"] and read.get_data() == event["data"]
        seen += [e["position"] for e in events]
        url = response.links["next"]["url"]
        assert url == f"/events?after={seen[-1]}&limit=7"
    assert seen == _positions(app_engine)
    assert response.links["next"]["url"] == url, "at the head, next asks again from the same place"


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", f"application/json, {BATCH};q=0.5"])
def test_the_feed_stays_the_json_envelope_unless_the_client_prefers_a_batch(
    staff: Api, accept: str | None
) -> None:
    headers = staff.headers() | ({"Accept": accept} if accept else {})
    response = staff.client.get("/events", headers=headers)
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"events", "next_after", "head"}
    assert response.links["next"]["url"] == f"/events?after={response.json()['next_after']}&limit=100"
    assert "Accept" in response.headers["vary"]


def test_the_openapi_document_declares_the_batch_and_the_next_link(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/events"]["get"]
    ok = operation["responses"]["200"]
    assert ok["content"][BATCH]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/FeedEvent"},
    }
    assert "Link" in ok["headers"]


def _resolve(dataschema: str, document: dict[str, Any], at: str) -> Any:
    """The schema a dataschema URI names, found the way a JSON Schema tool finds it."""
    registry = Registry().with_resource(at, DRAFT202012.create_resource(document)).crawl()
    return registry, registry.resolver().lookup(dataschema).contents


def _every_event(client: TestClient, token: str) -> list[dict[str, Any]]:
    return list(_batch(client, "/events?limit=1000", token).json())


def test_each_events_dataschema_is_its_defs_entry_in_the_served_schemas_and_validates_its_data(
    tmp_path: Path, clock: Clock
) -> None:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), public_url="http://testserver/"), clock)
    Lifecycle(engine, clock).through_every_phase()
    token = issue(engine, Role.SUBSCRIBER, "downstream")
    with TestClient(create_app(engine)) as client:
        events, documents = _every_event(client, token), {}
        for event in events:
            name = event["type"].removeprefix("org.qi.")
            location, _, pointer = event["dataschema"].partition("#")
            assert location == "http://testserver/schemas/events" and pointer == f"/$defs/{name}"
            document = documents.get(location) or documents.setdefault(
                location, client.get(urlsplit(location).path).json()
            )
            registry, schema = _resolve(event["dataschema"], document, location)
            assert schema == document["$defs"][name]
            jsonschema.Draft202012Validator({"$ref": event["dataschema"]}, registry=registry).validate(
                event["data"]
            )
    engine.close()
    assert len({e["type"] for e in events}) >= 20 and len(documents) == 1


def test_without_a_public_url_the_dataschema_is_under_the_schemas_own_id(
    staff: Api, app_engine: QIEngine, clock: Clock
) -> None:
    Lifecycle(app_engine, clock).create()
    document = staff.client.get("/schemas/events").json()
    for event in _every_event(staff.client, str(staff.token)):
        name = event["type"].removeprefix("org.qi.")
        assert event["dataschema"] == f"{document['$id']}#/$defs/{name}"
        registry, schema = _resolve(event["dataschema"], document, document["$id"])
        assert schema == document["$defs"][name]
        jsonschema.Draft202012Validator({"$ref": event["dataschema"]}, registry=registry).validate(
            event["data"]
        )


def test_the_default_source_and_every_dataschema_are_absolute_uris(
    staff: Api, app_engine: QIEngine, clock: Clock
) -> None:
    Lifecycle(app_engine, clock).create()
    for event in _every_event(staff.client, str(staff.token)):
        assert event["source"] == "urn:qi-engine:events"
        for uri in (event["source"], event["dataschema"]):
            assert urlsplit(uri).scheme and str(AnyUrl(uri)) == uri


@pytest.mark.parametrize(
    "source",
    ["qi-engine", "/engine", "//host/engine", "urn:qi engine", "http://", "urn:", "1qi:x", "urn:qi%zz"],
)
def test_a_qi_event_source_that_is_not_an_absolute_uri_is_refused(source: str) -> None:
    with pytest.raises(ValidationError, match=r"QI_EVENT_SOURCE must be an absolute URI"):
        Settings(event_source=source)


@pytest.mark.parametrize(
    "source", ["urn:qi-engine:events", "https://qi.example.org/engine", "tag:example.org,2024:qi"]
)
def test_an_absolute_uri_is_accepted_as_the_event_source(source: str) -> None:
    assert Settings(event_source=source).event_source == source


def test_a_bad_qi_event_source_stops_the_engine_at_start_up_naming_the_problem(tmp_path: Path) -> None:
    env = os.environ | {"QI_STORE": str(tmp_path / "qi.sqlite3"), "QI_EVENT_SOURCE": "qi-engine"}
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "info"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "QI_EVENT_SOURCE must be an absolute URI" in done.stdout + done.stderr
    assert "'qi-engine'" in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "qi.sqlite3").exists()


@pytest.mark.parametrize(
    "url",
    [
        "qi.example.org",
        "ftp://qi.example.org",
        "https://",
        "https://qi.example.org/?x=1",
        "https://qi.example.org/#top",
        "https://qi example.org",
    ],
)
def test_a_qi_public_url_that_is_not_an_http_base_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match=r"QI_PUBLIC_URL must be"):
        Settings(public_url=url)


# The live stream, against a real server ----------------------------------------


@pytest.fixture
def live(tmp_path: Path, clock: Clock) -> Iterator[tuple[str, QIEngine, dict[str, str]]]:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3")), clock)
    headers = {"Authorization": f"Bearer {issue(engine, Role.SUBSCRIBER, 'live')}"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", engine, headers
    server.should_exit = True
    thread.join(timeout=10)
    engine.close()


class Stream:
    """A server-sent events client that reads one event at a time."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.client = httpx.Client(timeout=httpx.Timeout(10, read=5))
        self.response = self.client.send(self.client.build_request("GET", url, headers=headers), stream=True)
        self.lines = self.response.iter_lines()

    def next_event(self) -> tuple[int, dict[str, Any]]:
        fields: dict[str, str] = {}
        for line in self.lines:
            if not line:
                if "data" in fields:
                    return int(fields["id"]), orjson.loads(fields["data"])
                fields = {}
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        raise AssertionError("the stream ended")

    def take(self, count: int) -> list[int]:
        return [self.next_event()[0] for _ in range(count)]

    def close(self) -> None:
        self.response.close()
        self.client.close()


def test_the_stream_sends_stored_events_then_a_new_one_within_a_second(
    live: tuple[str, QIEngine, dict[str, str]], clock: Clock
) -> None:
    base, engine, headers = live
    flow = Lifecycle(engine, clock)
    flow.create()
    stream = Stream(f"{base}/events/stream", headers)
    assert stream.take(len(_positions(engine))) == _positions(engine)
    time.sleep(0.5)  # the stream is idle, polling
    written = time.monotonic()
    flow.advance(Phase.REGISTRATION)
    position, event = stream.next_event()
    latency = time.monotonic() - written
    stream.close()
    assert event["type"] == "org.qi.PhaseAdvanced" and position == event["position"]
    assert latency < 1.0, f"the new event took {latency:.2f} s"


def test_the_stream_resumes_after_a_disconnect_with_no_gap_and_no_repeat(
    live: tuple[str, QIEngine, dict[str, str]], clock: Clock
) -> None:
    base, engine, headers = live
    flow = Lifecycle(engine, clock)
    flow.create()
    flow.advance(Phase.REGISTRATION)
    first = Stream(f"{base}/events/stream", headers)
    received = first.take(3)
    first.close()
    flow.register_teams()  # written while disconnected
    resumed = Stream(f"{base}/events/stream?after=0", headers | {"Last-Event-ID": str(received[-1])})
    received += resumed.take(len(_positions(engine)) - len(received))
    resumed.close()
    assert received == _positions(engine)


def test_a_stream_ends_when_its_client_goes_away(live: tuple[str, QIEngine, dict[str, str]]) -> None:
    base, _, headers = live
    stream = Stream(f"{base}/events/stream", headers)
    stream.next_event()
    assert len(OPEN_STREAMS) == 1
    stream.close()
    deadline = time.monotonic() + 3
    while OPEN_STREAMS:
        assert time.monotonic() < deadline, "the stream kept running after its client left"
        time.sleep(0.05)


# The stream read with a page session, as a browser's EventSource reads it -----------


def _session(engine: QIEngine, role: Role, name: str) -> str:
    secret = web_sessions.sign_in(engine, issue(engine, role, name))
    assert secret is not None
    return secret


def _cookie(secret: str) -> dict[str, str]:
    return {"Cookie": f"qi_session={secret}"}


def test_the_stream_is_read_with_a_signed_in_session_and_no_authorization_header(
    live: tuple[str, QIEngine, dict[str, str]], clock: Clock
) -> None:
    base, engine, _ = live
    Lifecycle(engine, clock).create()
    secret = _session(engine, Role.STAFF, "ann")
    stream = Stream(f"{base}/events/stream", _cookie(secret))
    received = stream.take(len(_positions(engine)))
    stream.close()
    assert received == _positions(engine)


@pytest.mark.parametrize("role", [Role.TEAM, Role.COACH])
def test_a_session_of_a_role_that_may_not_read_the_feed_is_refused_the_stream(
    client: TestClient, app_engine: QIEngine, role: Role
) -> None:
    refused = client.get("/events/stream", headers=_cookie(_session(app_engine, role, "someone")))
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert "may not read the event feed" in refused.json()["detail"]


def test_an_ended_or_unknown_session_is_refused_the_stream(client: TestClient, app_engine: QIEngine) -> None:
    secret = _session(app_engine, Role.STAFF, "ann")
    web_sessions.sign_out(app_engine, secret)
    for cookie in (secret, "qis_never-issued"):
        refused = client.get("/events/stream", headers=_cookie(cookie))
        assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
        assert "sign in again" in refused.json()["detail"]


def test_a_session_cookie_sent_from_another_origin_is_refused_the_stream(
    client: TestClient, app_engine: QIEngine
) -> None:
    cookie = _cookie(_session(app_engine, Role.STAFF, "ann"))
    refused = client.get("/events/stream", headers=cookie | {"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "https://evil.example" in refused.json()["detail"]


def test_a_session_stream_closes_within_seconds_of_signing_out(
    live: tuple[str, QIEngine, dict[str, str]],
) -> None:
    base, engine, _ = live
    secret = _session(engine, Role.AUDITOR, "audrey")
    stream = Stream(f"{base}/events/stream", _cookie(secret) | {"Origin": base})
    stream.next_event()
    assert len(OPEN_STREAMS) == 1
    signed_out = time.monotonic()
    assert web_sessions.sign_out(engine, secret)
    for _ in stream.lines:  # the remaining events, then the end of the stream
        assert time.monotonic() - signed_out < 5, "the stream outlived its session"
    assert time.monotonic() - signed_out < 5
    stream.close()
