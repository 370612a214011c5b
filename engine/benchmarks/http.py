"""2. The API over loopback: a uvicorn server in its own process, and 1, 8 and 32
concurrent clients writing (one data point per request, each client its own team)
and reading the dashboard; throughput and p50/p99 latency."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from aggregates.base import Role
from engine.application import QIEngine
from engine.benchmarks.harness import Results, free_port, fresh_store, percentile, rate
from engine.benchmarks.world import SYSTEM, World, build_world
from engine.settings import Settings
from engine.tokens import Grant


@contextmanager
def server(store: str) -> Iterator[str]:
    port = free_port()
    env = os.environ | {"QI_STORE": store}
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def load(
    clients: int, seconds: float, request: Callable[[httpx.Client, int, int], httpx.Response]
) -> tuple[int, list[float], int]:
    """Run `clients` threads for `seconds`; (requests done, latencies in ms, non-2xx count)."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        with httpx.Client(timeout=30) as http:
            i = 0
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = request(http, number, i)
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(elapsed)
                    failures[0] += response.status_code >= 300
                i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies, failures[0]


def run_http(results: Results, kind: str, levels: tuple[int, ...], seconds: float) -> None:
    store = fresh_store(kind, "http")
    engine = QIEngine(Settings(store=store))
    world = build_world(engine, teams=max(levels))
    token = engine.issue_token(Grant(name="bench", role=Role.STAFF), engine.context(SYSTEM))
    engine.close()
    headers = {"Authorization": f"Bearer {token}"}
    with server(store) as base:
        for clients in levels:
            _measure(
                results,
                kind,
                "writes",
                clients,
                load(clients, seconds, _writer(base, headers, world)),
                seconds,
            )
            _measure(
                results,
                kind,
                "dashboard reads",
                clients,
                load(clients, seconds, _reader(base, headers, world)),
                seconds,
            )


def _writer(
    base: str, headers: dict[str, str], world: World
) -> Callable[[httpx.Client, int, int], httpx.Response]:
    def write(http: httpx.Client, number: int, i: int) -> httpx.Response:
        body = {"period": "2024-01", "numerator": 10 + i % 2, "denominator": 20}
        return http.post(
            f"{base}/teams/{world.teams[number]}/measures/weight-kg/data", json=body, headers=headers
        )

    return write


def _reader(
    base: str, headers: dict[str, str], world: World
) -> Callable[[httpx.Client, int, int], httpx.Response]:
    return lambda http, number, i: http.get(
        f"{base}/collaboratives/{world.collaborative}/dashboard", headers=headers
    )


def _measure(
    results: Results,
    kind: str,
    what: str,
    clients: int,
    outcome: tuple[int, list[float], int],
    seconds: float,
) -> None:
    done, latencies, failures = outcome
    group = "2 http"
    results.add(group, f"{what}, {clients} clients: throughput", kind, [rate(done, seconds)], "requests/s")
    results.add(group, f"{what}, {clients} clients: p50", kind, [percentile(latencies, 50)], "ms")
    results.add(group, f"{what}, {clients} clients: p99", kind, [percentile(latencies, 99)], "ms",
                target="< 100 ms" if what == "writes" and clients == 32 else None)  # fmt: skip
    if failures:
        results.add(
            group, f"{what}, {clients} clients: non-2xx responses", kind, [float(failures)], "responses"
        )
