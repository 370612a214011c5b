"""The default projector runs in a child process beside the API: the API process writes no
read model, a read right after a write still sees it, a child that dies is replaced (reads
meanwhile catch up themselves), and no child outlives its API, however the API ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Role
from engine.application import QIEngine
from engine.projector_process import ProjectorProcess
from engine.settings import Settings
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.api.read_models_probe import latest, write_transactions
from tests.conftest import Clock, free_port

DATA = {"period": "2025-03", "numerator": 17, "denominator": 20}


@pytest.fixture
def process_engine(tmp_path: Path, clock: Clock) -> Iterator[QIEngine]:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), projector="process"), clock)
    yield engine
    engine.close()


def _projector(client: TestClient) -> ProjectorProcess:
    projector = client.app.state.read_models.projector  # type: ignore[attr-defined]
    assert isinstance(projector, ProjectorProcess)
    return projector


def _wait(condition: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def test_a_read_right_after_a_write_sees_it_while_the_api_process_writes_no_read_model(
    process_engine: QIEngine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(process_engine)) as client:
        staff = Api(client, issue(process_engine, Role.STAFF, "ann"))
        flow = HttpFlow(staff, clock)
        flow.up_to("sessions")
        assert "2025-03" not in latest(staff, flow.collaborative)
        writers = write_transactions(client.app.state.read_models, monkeypatch)  # type: ignore[attr-defined]

        for team in flow.teams:
            staff.ok(f"/teams/{team}/measures/weight-kg/data", DATA)
            assert "2025-03" in latest(staff, flow.collaborative)

        assert writers == []  # the child projected every one of them
        assert _projector(client).reached >= (process_engine.recorder.max_notification_id() or 0)


def test_a_projector_process_that_dies_is_replaced_and_reads_meanwhile_see_every_write(
    process_engine: QIEngine, clock: Clock
) -> None:
    with TestClient(create_app(process_engine)) as client:
        staff = Api(client, issue(process_engine, Role.STAFF, "ann"))
        flow = HttpFlow(staff, clock)
        flow.up_to("sessions")
        projector = _projector(client)
        first = projector._child
        os.kill(first.pid, signal.SIGKILL)
        first.join(10)

        staff.ok(f"/teams/{flow.teams[0]}/measures/weight-kg/data", DATA)
        assert "2025-03" in latest(staff, flow.collaborative)  # caught up by the reader

        _wait(lambda: projector._child is not first and projector._child.is_alive())
        staff.ok(f"/teams/{flow.teams[0]}/measures/weight-kg/data", DATA | {"numerator": 5})  # a correction
        assert 0.25 in latest(staff, flow.collaborative, "latest_value")


def test_stopping_the_api_stops_its_projector_process(process_engine: QIEngine) -> None:
    with TestClient(create_app(process_engine)) as client:
        child = _projector(client)._child
        assert child.is_alive()
    assert not child.is_alive() and child.exitcode == 0  # asked to stop, it finished its batch


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            spawned = b"spawn_main" in (entry / "cmdline").read_bytes() if int(fields[1]) == pid else False
            if spawned:  # multiprocessing's child, not any helper process
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_a_projector_process_whose_api_is_killed_exits_by_itself(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "QI_PROJECTOR"}  # the default: a process
    env |= {"QI_STORE": str(tmp_path / "qi.sqlite3")}
    server = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(lambda: _up(port))
        _wait(lambda: bool(_children_of(server.pid)))
        (child,) = _children_of(server.pid)
    finally:
        server.kill()
        server.wait(10)
    _wait(lambda: not _alive(child))


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
