"""Engines and servers that start at the same moment on a fresh PostgreSQL database.

PostgreSQL's `CREATE TABLE IF NOT EXISTS` is not safe against itself: two sessions
creating the same table at once can both pass the "not exists" check, and the second
fails with UniqueViolation on pg_type_typname_nsp_index. Each round uses a new
database, so every start really creates the schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import httpx
import psycopg
import pytest

from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings
from tests.conftest import free_port

pytestmark = pytest.mark.postgres

ROUNDS = 4
STARTERS = 6
QI = [sys.executable, "-m", "adapters.cli"]


@pytest.fixture
def fresh_database(postgres_url: str) -> Iterator[Callable[[], str]]:
    """Make a new empty database per call; every one is dropped afterwards."""
    server = postgres_url.rsplit("/", 1)[0]
    made: list[str] = []
    numbers = count()

    def make() -> str:
        name = f"qi_startup_{os.getpid()}_{next(numbers)}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{server}/{name}"

    yield make
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_together(url: str) -> list[str]:
    """Start STARTERS engines with their read models at one moment; the errors they raised."""
    gate = threading.Barrier(STARTERS)
    errors: list[str] = []
    started: list[ReadModels] = []

    def start() -> None:
        gate.wait()
        try:
            started.append(ReadModels(QIEngine(Settings(store=url))))
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=start) for _ in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for models in started:
        assert models.runner.head() == 0  # each one reads the schema it found or made
        models.close()
        models.engine.close()
    assert len(started) + len(errors) == STARTERS
    return errors


def test_engines_and_read_models_started_at_once_on_a_fresh_database_all_start(
    fresh_database: Callable[[], str],
) -> None:
    for _ in range(ROUNDS):
        assert _start_together(fresh_database()) == []


def _serve(url: str, folder: Path, name: str) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*QI, "serve", "--port", str(port)],
            env=os.environ | {"QI_STORE": url},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, port, log


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_all_answer(servers: list[tuple[subprocess.Popen[bytes], int, Path]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(servers)
    while waiting and time.monotonic() < deadline:
        for process, port, log in list(waiting):
            assert process.poll() is None, f"qi serve exited while starting:\n{log.read_text()[-3000:]}"
            if _answers(port):
                waiting.remove((process, port, log))
        time.sleep(0.1)
    assert not waiting, "a qi serve never answered /healthz"


def test_two_qi_serve_started_at_the_same_moment_on_a_fresh_database_both_start(
    fresh_database: Callable[[], str], tmp_path: Path
) -> None:
    for round_ in range(2):
        url = fresh_database()
        servers = [_serve(url, tmp_path, f"serve-{round_}-{n}") for n in range(2)]
        try:
            _wait_all_answer(servers, timeout=60)
        finally:
            for process, _, _ in servers:
                process.terminate()
                process.wait(timeout=20)
