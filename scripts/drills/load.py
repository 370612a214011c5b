"""Clients that write over real HTTP the way a careful client does, and a ledger
of what each was told.

Every write carries its own Idempotency-Key and keeps it across retries: a 409
conflict is sent again, a 412 is sent again after reading the current version, a
503 or a dropped connection is sent again after a pause. A 2xx is an
acknowledgement, the promise every drill checks against the store.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from aggregates.base import Role
from aggregates.phases import Phase
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.settings import Settings
from scripts.benchmarks.world import SYSTEM, advance_to, build_world

RETRYABLE = (409, 412, 503)


@dataclass
class Target:
    """One collaborative (in the sharing phase, so every write below is allowed) and one
    of its teams, which every client writes to; a staff token."""

    collaborative: UUID
    team: UUID
    token: str


def set_up(store: str) -> Target:
    """Create the target through the engine's own commands."""
    engine = QIEngine(Settings(store=store))
    try:
        world = build_world(engine, teams=1)
        advance_to(engine, world.collaborative, Phase.SHARING)
        token = engine.issue_token(Grant(name="drill", role=Role.STAFF), engine.context(SYSTEM))
    finally:
        engine.close()
    return Target(world.collaborative, world.teams[0], token)


@dataclass
class Write:
    method: str
    path: str
    body: dict[str, Any]
    key: str
    guarded: bool = False  # sends If-Match with the team's version it just read


def writes(target: Target, rng: random.Random) -> Write:
    """A random write to the shared team or the shared collaborative."""
    key = f"drill-{uuid4()}"
    choice = rng.random()
    team, collaborative = f"/teams/{target.team}", f"/collaboratives/{target.collaborative}"
    if choice < 0.45:
        body = {
            "period": f"2024-{rng.randint(1, 12):02d}",
            "numerator": rng.randint(0, 20),
            "denominator": 20,
        }
        return Write("POST", f"{team}/measures/weight-kg/data", body, key, guarded=choice < 0.15)
    if choice < 0.75:
        output = {"kind": "toolkit", "title": f"Toolkit {key[-6:]}"}
        return Write("POST", f"{collaborative}/outputs", {"details": output}, key)
    starts = datetime(2024, 6, 1, tzinfo=UTC) + timedelta(hours=rng.randint(0, 2000))
    activity = {"kind": "office_hours", "title": f"Office hours {key[-6:]}",
                "starts_at": starts.isoformat(), "duration_minutes": 60}  # fmt: skip
    return Write("POST", f"{collaborative}/activities", {"details": activity}, key)


@dataclass
class Ledger:
    """What clients were told, gathered from every client thread."""

    acknowledged: dict[str, list[str]] = field(default_factory=dict)  # key -> the events it reported
    sent: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    unclear: list[str] = field(default_factory=list)  # retryable answers that were not problem+json
    unexpected: list[str] = field(default_factory=list)
    retries: int = 0
    connection_errors: int = 0
    gave_up: int = 0
    slowest: float = 0.0  # seconds, the longest any single answer took
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, write: Write, response: httpx.Response, took: float = 0.0) -> None:
        with self.lock:
            self.slowest = max(self.slowest, took)
            self.statuses[response.status_code] += 1
            if 200 <= response.status_code < 300:
                self.acknowledged[write.key] = list(response.json()["events"])
            elif response.status_code in RETRYABLE and not _clear(response):
                self.unclear.append(f"{response.status_code} {response.headers} {response.text[:200]}")

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def unavailable(self) -> int:
        return self.statuses[503]


def _clear(response: httpx.Response) -> bool:
    """A retryable answer a client can act on: problem+json with a detail (and Retry-After on 503)."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    if response.status_code == 503 and not response.headers.get("retry-after", "").isdigit():
        return False
    return bool(response.json().get("detail"))


class Client:
    """One client thread's session: sends writes until `stop`, each until it is answered."""

    def __init__(
        self, base: str, target: Target, ledger: Ledger, seed: int, give_up_after: float = 60.0
    ) -> None:
        self.base = base
        self.target = target
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.give_up_after = give_up_after
        self.headers = {"Authorization": f"Bearer {target.token}"}

    def run(self, stop: threading.Event) -> None:
        with httpx.Client(base_url=self.base, timeout=30, headers=self.headers) as http:
            while not stop.is_set():
                self.send(http, writes(self.target, self.rng))

    def send(self, http: httpx.Client, write: Write) -> None:
        with self.ledger.lock:
            self.ledger.sent.add(write.key)
        deadline = time.monotonic() + self.give_up_after
        first = True
        while time.monotonic() < deadline:
            if not first:
                with self.ledger.lock:
                    self.ledger.retries += 1
            first = False
            began = time.monotonic()
            try:
                response = self._attempt(http, write)
            except httpx.HTTPError:
                with self.ledger.lock:
                    self.ledger.connection_errors += 1
                time.sleep(0.1)
                continue
            self.ledger.answered(write, response, time.monotonic() - began)
            if response.status_code < 300:
                return
            if response.status_code == 503:
                time.sleep(min(float(response.headers.get("retry-after", "1")), 1.0))
                continue
            if response.status_code in (409, 412) and "rule" not in response.json():
                continue
            with self.ledger.lock:
                self.ledger.unexpected.append(
                    f"{write.method} {write.path}: {response.status_code} {response.text[:300]}"
                )
            return
        with self.ledger.lock:
            self.ledger.gave_up += 1

    def _attempt(self, http: httpx.Client, write: Write) -> httpx.Response:
        headers = {"Idempotency-Key": write.key}
        if write.guarded:
            team = http.get(f"/teams/{self.target.team}")
            if team.status_code != 200:
                return team
            headers["If-Match"] = f'"{team.json()["version"]}"'
        return http.request(write.method, write.path, json=write.body, headers=headers)


def hammer(
    base: str, target: Target, ledger: Ledger, clients: int, stop: threading.Event
) -> list[threading.Thread]:
    """Start `clients` client threads; they finish their current write after `stop`."""
    threads = [
        threading.Thread(target=Client(base, target, ledger, seed=n).run, args=(stop,), daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    return threads
