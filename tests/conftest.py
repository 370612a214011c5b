"""Shared fixtures: a controllable clock, and engines on SQLite and PostgreSQL.

Under CI=true a missing PostgreSQL fails the run loudly; locally it skips.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.application import QIEngine
from engine.audit_key import generate_pem
from engine.personal_data import new_master_key
from engine.settings import Settings

# Each test session gets its own database, so two suites running at once never
# truncate each other's tables; it is dropped when the session ends.
POSTGRES_URL = os.environ.get(
    "QI_TEST_POSTGRES", f"postgresql://postgres@127.0.0.1:5432/qi_test_{os.getpid()}"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Tests run the API as a deployment does, with an audit key (the digest routes answer 503
# without one): a throwaway key, inherited by the `qi` processes tests start.
os.environ.setdefault("QI_AUDIT_KEY", generate_pem())
# ... and a master key for personal data (PostgreSQL refuses to start without one).
os.environ.setdefault("QI_DATA_KEY", new_master_key())
# Apps the tests start project on a thread: a projector process (the default) costs a
# second to spawn, and hundreds of apps start here. tests/api/test_projector_process.py
# and the production install (tests/test_production_install.py) run the default.
os.environ.setdefault("QI_PROJECTOR", "thread")
# Hundreds of sign-ins: Argon2id at its cheapest here (tests/accounts/test_passwords.py
# checks the deployment's cost; tests/test_production_install.py runs it).
os.environ.setdefault("QI_PASSWORD_HASHING", "test-only-cheapest")
# Every test client signs in from one address (tests/web/test_sign_in.py sets its own limit).
os.environ.setdefault("QI_SIGN_IN_PER_MINUTE", "100000")


def free_port() -> int:
    """A free TCP port on loopback, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Clock:
    """A clock tests move by hand, so event timestamps are known exactly."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_engine(tmp_path: Path, clock: Clock) -> Iterator[QIEngine]:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), snapshot_interval=5), clock)
    yield engine
    engine.close()


def _postgres_ready() -> str | None:
    """None when PostgreSQL answers and the test database exists; else the reason."""
    import psycopg

    try:
        admin = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            name = POSTGRES_URL.rsplit("/", 1)[1]
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable: {error}"
    return None


def _truncate_all(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        ]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    problem = _postgres_ready()
    if problem:
        if IN_CI:
            pytest.fail(f"{problem} (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(problem)
    yield POSTGRES_URL
    _drop_database(POSTGRES_URL)


def _drop_database(url: str) -> None:
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_engine(postgres_url: str, clock: Clock) -> Iterator[QIEngine]:
    engine = QIEngine(Settings(store=postgres_url, snapshot_interval=5), clock)
    _truncate_all(postgres_url)
    yield engine
    engine.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show that the store tests ran on both stores, so a skip cannot hide."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for backend in ("SQLite", "PostgreSQL"):
                if f"On{backend}::" in nodeid:
                    counts.setdefault(backend, {}).setdefault(outcome, 0)
                    counts[backend][outcome] += 1
    for backend, by_outcome in sorted(counts.items()):
        figures = ", ".join(f"{n} {outcome}" for outcome, n in sorted(by_outcome.items()))
        terminalreporter.write_line(f"store tests on {backend}: {figures}")
