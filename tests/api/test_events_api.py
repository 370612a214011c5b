"""The HTTP event feed: pages after a position, and the live stream (server-sent
events) that delivers new events within a second and resumes without gaps."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from fastapi.testclient import TestClient

from adapters.http.app import create_app
from adapters.http.routers.events import OPEN_STREAMS
from aggregates.base import Role
from aggregates.phases import Phase
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
        "source": "qi-engine",
        "type": "org.qi.CollaborativeCreated",
        "subject": collaborative,
        "time": created["data"]["timestamp"],
        "datacontenttype": "application/json",
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
