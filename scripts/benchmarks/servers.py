"""The servers the HTTP benchmarks load: `qi serve` as deployed, and the bare endpoints
(scripts/benchmarks/bare.py) under the same uvicorn set-up, each in its own process(es)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from scripts.benchmarks.bare import BODY_FILE
from scripts.benchmarks.harness import free_port

ROOT = Path(__file__).resolve().parents[2]
STARTED = b"Application startup complete"
START_SECONDS = 120.0


@dataclass(frozen=True)
class Served:
    """A server the benchmark started: where it answers, and its process (uvicorn's, or with
    several workers their supervisor's)."""

    url: str
    pid: int


@contextmanager
def server(store: str, workers: int = 1) -> Iterator[Served]:
    """`qi serve` over `store` with `workers` processes, once every worker is up."""
    command = [sys.executable, "-m", "adapters.cli", "serve"]
    with serving(command, {"QI_STORE": store}, workers) as served:
        yield served


@contextmanager
def bare_server(store: str, dashboard: bytes, workers: int = 1) -> Iterator[Served]:
    """The bare endpoints, answering `dashboard` to every dashboard GET, with `workers` processes."""
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as body:
        body.write(dashboard)
    command = [sys.executable, "-m", "scripts.benchmarks.bare"]
    try:
        with serving(command, {"QI_STORE": store, BODY_FILE: body.name}, workers) as served:
            yield served
    finally:
        os.unlink(body.name)


@contextmanager
def serving(command: list[str], env: dict[str, str], workers: int) -> Iterator[Served]:
    """Run `command --port P --workers N` and yield it once it answers and each
    worker has logged its start (a load begun sooner would measure workers still booting)."""
    port = free_port()
    handle, log = tempfile.mkstemp(prefix="qi-bench-server-", suffix=".log")
    os.close(handle)
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--workers", str(workers)],
            env=os.environ | env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base, Path(log), workers)
        yield Served(base, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        os.unlink(log)


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log: Path, workers: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped while starting: {log.read_bytes()[-1500:].decode()}")
        if log.read_bytes().count(STARTED) >= workers and _answers(base):
            return
        time.sleep(0.05)
    raise RuntimeError(
        f"the server was not up within {START_SECONDS:g} s: {log.read_bytes()[-1500:].decode()}"
    )


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
