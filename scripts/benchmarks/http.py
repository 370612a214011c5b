"""2. The API over loopback: a uvicorn server in its own process(es), and 1, 8 and 32
concurrent clients writing (one data point per request, each client its own team)
and reading the dashboard; throughput and p50/p99 latency. The load comes from wrk,
a C load generator: a Python client would take as much CPU as the server it measures
on this 2-core machine."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from aggregates.base import Role
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.settings import Settings
from scripts.benchmarks.harness import Results, free_port, fresh_store, rate
from scripts.benchmarks.world import SYSTEM, build_world


@contextmanager
def server(store: str, workers: int = 1) -> Iterator[str]:
    port = free_port()
    env = os.environ | {"QI_STORE": store}
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "serve", "--port", str(port), "--workers", str(workers)],
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


WRK_SCRIPT = """
local counter = 0
function setup(thread)
  thread:set("number", counter)
  counter = counter + 1
end
function init(args)
  paths = args
  i = 0
end
function request()
  i = i + 1
  local path = paths[(number % #paths) + 1]
  if method == "POST" then
    local body = string.format('{"period": "2024-01", "numerator": %d, "denominator": 20}', 10 + i % 2)
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
function done(summary, latency, requests)
  io.write(string.format('\\nRESULT {"requests": %d, "seconds": %f, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50": %f, "p99": %f}\\n', summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass(frozen=True)
class Load:
    """What a load run measured: requests done, seconds, latencies (ms), failures."""

    requests: int
    seconds: float
    p50: float
    p99: float
    failures: int


def load(base: str, clients: int, seconds: float, method: str, paths: list[str], token: str) -> Load:
    """`clients` connections, each on its own thread of wrk (a C load generator, so the
    client's own CPU barely competes with the server's), each sending to its own path."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError(
            "the HTTP benchmark needs wrk (Debian: apt-get install wrk); scripts/bench installs it"
        )
    headers = f'headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'method = "{method}"\n{headers}{WRK_SCRIPT}')
    try:
        run = subprocess.run(
            [wrk, f"-t{clients}", f"-c{clients}", f"-d{max(seconds, 1):g}s", "--timeout", "10s",
             "-s", script.name, base, "--", *paths],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    found = re.search(r"^RESULT (\{.*\})$", run.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result: {run.stdout[-500:]} {run.stderr[-500:]}")
    figures = json.loads(found.group(1))
    return Load(figures["requests"], figures["seconds"], figures["p50"], figures["p99"],
                figures["non2xx"] + figures["socket_errors"])  # fmt: skip


def run_http(results: Results, kind: str, levels: tuple[int, ...], seconds: float, workers: int = 1) -> None:
    store = fresh_store(kind, "http")
    engine = QIEngine(Settings(store=store))
    world = build_world(engine, teams=max(levels))
    token = engine.issue_token(Grant(name="bench", role=Role.STAFF), engine.context(SYSTEM))
    engine.close()
    writes = [f"/teams/{team}/measures/weight-kg/data" for team in world.teams]
    reads = [f"/collaboratives/{world.collaborative}/dashboard"]
    with server(store, workers) as base:
        for clients in levels:
            _measure(results, kind, "writes", clients, load(base, clients, seconds, "POST", writes, token))
            # One untimed read first: it projects the writes just made (read models catch up
            # in process by default), which section 3 measures; here, reads are measured.
            httpx.get(base + reads[0], headers={"Authorization": f"Bearer {token}"}, timeout=600)
            _measure(
                results, kind, "dashboard reads", clients, load(base, clients, seconds, "GET", reads, token)
            )


def _measure(results: Results, kind: str, what: str, clients: int, outcome: Load) -> None:
    group = "2 http"
    results.add(group, f"{what}, {clients} clients: throughput", kind,
                [rate(outcome.requests, outcome.seconds)], "requests/s")  # fmt: skip
    results.add(group, f"{what}, {clients} clients: p50", kind, [outcome.p50], "ms")
    results.add(group, f"{what}, {clients} clients: p99", kind, [outcome.p99], "ms",
                target="< 100 ms" if what == "writes" and clients == 32 else None)  # fmt: skip
    if outcome.failures:
        results.add(
            group, f"{what}, {clients} clients: failed requests", kind, [float(outcome.failures)], "requests"
        )
