"""The `qi` command line, run as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from adapters.cli.common import CLI_ACTOR
from aggregates.participant import PersonDetails
from engine.application import QIEngine
from engine.commands.activity import RegisterParticipant
from engine.settings import Settings
from tests.conftest import free_port

QI = [sys.executable, "-m", "adapters.cli"]


def _env(tmp_path: Path) -> dict[str, str]:
    return os.environ | {"QI_STORE": str(tmp_path / "qi.sqlite3")}


def test_tokens_are_created_listed_and_revoked(tmp_path: Path) -> None:
    env = _env(tmp_path)
    created = subprocess.run(
        [*QI, "tokens", "create", "--role", "auditor", "--name", "audrey"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    secret = created.stdout.strip()
    assert secret.startswith("qi_") and len(secret) > 40
    listed = subprocess.run(
        [*QI, "tokens", "list"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "audrey" in listed and secret not in listed
    token_id = re.search(r"[0-9a-f]{8}-[0-9a-f-]{27}", listed)
    assert token_id
    subprocess.run([*QI, "tokens", "revoke", token_id.group(0)], env=env, check=True, capture_output=True)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d\s+│\s+" + token_id.group(0), _list(env))


def _list(env: dict[str, str]) -> str:
    return subprocess.run([*QI, "tokens", "list"], env=env, capture_output=True, text=True, check=True).stdout


def test_a_token_created_to_expire_lists_its_expiry_and_is_honoured_until_then(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from engine.application import QIEngine
    from engine.settings import Settings

    env = _env(tmp_path)
    secret = subprocess.run(
        [*QI, "tokens", "create", "--role", "staff", "--name", "temp", "--expires-in", "1"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert f"{tomorrow:%Y-%m-%d}" in _list(env)
    engine = QIEngine(Settings(store=env["QI_STORE"]), clock=lambda: tomorrow - timedelta(minutes=1))
    assert engine.authenticate(secret) is not None
    engine.clock = lambda: tomorrow + timedelta(minutes=1)
    assert engine.authenticate(secret) is None
    engine.close()


def test_a_team_token_needs_its_team(tmp_path: Path) -> None:
    result = subprocess.run(
        [*QI, "tokens", "create", "--role", "team", "--name", "x"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "needs --team" in result.stderr


def test_serve_prints_a_staff_token_that_works(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [*QI, "serve", "--demo-token", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        token = None
        deadline = time.monotonic() + 30
        while token is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if line.startswith("Staff token:"):
                token = line.split()[-1]
        assert token, "serve did not print a token"
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/collaboratives", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert response is not None and response.status_code == 200
        assert response.json() == []
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_rebuild_replays_read_models_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run(
        [*QI, "tokens", "create", "--role", "auditor", "--name", "a"],
        env=env,
        check=True,
        capture_output=True,
    )
    rebuilt = subprocess.run([*QI, "rebuild"], env=env, capture_output=True, text=True)
    assert rebuilt.returncode == 0 and "rebuilding audit" in rebuilt.stdout
    verified = subprocess.run([*QI, "audit", "verify"], env=env, capture_output=True, text=True)
    assert "1 events verified" in verified.stdout
    unknown = subprocess.run([*QI, "rebuild", "nope"], env=env, capture_output=True, text=True)
    assert unknown.returncode == 2 and "no read model 'nope'" in unknown.stderr


def test_serve_with_two_workers_starts_two_processes_over_one_store(tmp_path: Path) -> None:
    env = _env(tmp_path)
    secret = subprocess.run(
        [*QI, "tokens", "create", "--role", "staff", "--name", "two"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [*QI, "serve", "--workers", "2", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {secret}"}
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        focus = {
            "focus_area": "Readiness",
            "aim": "Weigh in kg",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
        }
        created = [
            httpx.post(f"{base}/collaboratives", json={"title": f"C{n}", "focus": focus}, headers=headers)
            for n in range(12)
        ]
        assert [r.status_code for r in created] == [201] * 12, created[0].text
        listed = httpx.get(f"{base}/collaboratives", headers=headers).json()
        assert sorted(c["title"] for c in listed) == sorted(f"C{n}" for n in range(12))
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
    assert errors.count("Started server process") == 2, errors


def test_a_bad_setting_stops_a_command_naming_the_variable_and_its_reason(tmp_path: Path) -> None:
    env = os.environ | {"QI_STORE": str(tmp_path / "qi.sqlite3"), "QI_PROJECTION_LINGER": "-1"}
    done = subprocess.run([*QI, "info"], env=env, capture_output=True, text=True)
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert (
        "QI_PROJECTION_LINGER: Input should be greater than or equal to 0" in said and "Traceback" not in said
    )
    assert not (tmp_path / "qi.sqlite3").exists()  # nothing was created


def test_keys_new_writes_a_master_key_once_and_rotate_rewraps_every_data_key_under_the_first(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    old, new = tmp_path / "old.key", tmp_path / "new.key"
    for key in (old, new):
        made = subprocess.run(
            [*QI, "keys", "new", "--out", str(key)], env=env, capture_output=True, text=True
        )
        assert made.returncode == 0, made.stderr
        assert key.stat().st_mode & 0o777 == 0o600
    again = subprocess.run([*QI, "keys", "new", "--out", str(old)], env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "never overwritten" in again.stdout + again.stderr
    engine = QIEngine(Settings(store=env["QI_STORE"], data_key=str(old)))
    details = PersonDetails(name="Dana Reyes")
    person = engine.execute(RegisterParticipant(details=details), engine.context(CLI_ACTOR)).id
    engine.close()

    rotate = env | {"QI_DATA_KEY": f"{new},{old}"}
    done = subprocess.run([*QI, "keys", "rotate"], env=rotate, capture_output=True, text=True)
    assert done.returncode == 0 and "re-wrapped 2 data key(s)" in done.stdout, done.stdout + done.stderr

    reopened = QIEngine(
        Settings(store=env["QI_STORE"], data_key=str(new), cache_size=0)
    )  # the old key is gone
    assert reopened.participant(person).state.details.name == "Dana Reyes"
    reopened.close()


def test_a_master_key_that_is_not_one_stops_a_command_naming_qi_data_key_and_writes_nothing(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path) | {"QI_DATA_KEY": "not-a-key"}
    for args in (["info"], ["serve", "--port", str(free_port())]):
        done = subprocess.run([*QI, *args], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "QI_DATA_KEY names not-a-key, which is neither a master key nor a file" in done.stdout
        assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "qi.sqlite3").exists()
