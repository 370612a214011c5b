"""A wheel built from the sources the Dockerfile copies, installed without extras into a
virtualenv of its own, and a deployment of it served by `qi serve`: what
tests/test_production_install.py runs against.

The virtualenv (the runtime dependencies) is kept between runs under the temp folder,
keyed by the dependencies; the wheel is built from the current sources and reinstalled
every run."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "qi-production-venv"


@dataclass(frozen=True)
class Install:
    wheel: Path
    venv: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


@dataclass(frozen=True)
class Server:
    base: str
    token: str


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; anything but exit 0 fails the test with its output."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def tooling_in(home: Path) -> Path:
    """The tooling package (`python -m scripts`: demo, drills, benchmarks) copied into `home`,
    as the image keeps the demo beside the installed engine: run from `home`, it drives the
    installed engine, never the checkout's sources."""
    shutil.copytree(
        ROOT / "scripts",
        home / "scripts",
        ignore=shutil.ignore_patterns("__pycache__", "*.sh", "run", "test", "bench", "drill"),
        dirs_exist_ok=True,
    )
    return home


def dockerfile_sources() -> list[str]:
    """What the Dockerfile copies into the image: the test builds from exactly that."""
    copied = re.findall(r"^COPY\s+(.+?)\s+\S+$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    return [name for line in copied for name in line.split()]


def build_wheel(into: Path) -> Path:
    """The wheel of the current sources, built from a copy (no build/ left in the checkout)."""
    source = into / "src"
    for name in dockerfile_sources():
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(into), str(source)], into)
    (wheel,) = into.glob("qi_engine-*.whl")
    return wheel


def venv_with(wheel: Path) -> Path:
    """A virtualenv holding the wheel and its runtime dependencies, and nothing of [test]."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needs = [*project["dependencies"], project["requires-python"], sys.version]
    key = hashlib.sha256(json.dumps(needs).encode()).hexdigest()[:16]
    venv, complete = CACHE / key, CACHE / f"{key}.complete"
    if not complete.exists():  # a venv cannot be moved, so completeness is marked beside it
        for old in CACHE.iterdir():  # a broken one, or those of older dependencies
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
        run([sys.executable, "-m", "venv", str(venv)], ROOT)
        run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], CACHE)
        complete.touch()
    reinstall = ["-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(wheel)]
    run([str(venv / "bin" / "python"), *reinstall], CACHE)
    return venv


def deployment_env(home: Path) -> dict[str, str]:
    """The environment of a deployment: none of this checkout's settings or paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QI_", "PYTHON", "VIRTUAL_ENV"))}
    return env | {"QI_STORE": str(home / "qi.sqlite3"), "QI_AUDIT_KEY": str(home / "audit.key")}


def _wait_for_health(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"qi serve exited {process.returncode}:\n{log.read_text()}"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"qi serve did not answer /healthz within 60 s:\n{log.read_text()}")


@contextmanager
def locked_install(into: Path) -> Iterator[Install]:
    """The wheel of the current sources in the cached virtualenv, held for this run alone:
    another run at the same time would reinstall its own wheel into it."""
    wheel = build_wheel(into)
    CACHE.mkdir(exist_ok=True)
    with (CACHE.parent / "qi-production-venv.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield Install(wheel, venv_with(wheel))


@contextmanager
def serving(install: Install, home: Path) -> Iterator[Server]:
    """A deployment in `home`: an audit key, the demo, a staff token, and `qi serve` until exit."""
    env = deployment_env(home)
    run([install.bin("qi"), "audit", "keygen", "--out", env["QI_AUDIT_KEY"]], home, env)
    run([install.bin("python"), "-m", "scripts", "demo"], tooling_in(home), env)
    create = [install.bin("qi"), "tokens", "create", "--role", "staff", "--name", "production install"]
    token = run(create, home, env).stdout.strip()
    port, log = free_port(), home / "serve.log"
    with log.open("w") as out:
        command = [install.bin("qi"), "serve", "--port", str(port)]
        process = subprocess.Popen(command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_health(base, process, log)
        yield Server(base, token)
    finally:
        process.terminate()
        process.wait(timeout=20)
