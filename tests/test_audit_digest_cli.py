"""`qi audit keygen | digest | verify --digest` and the guarded `qi rebuild audit`, run as
an operator (or an intruder with database access) runs them, on a SQLite store."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from aggregates.base import Actor, Role
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.feed import read_feed
from engine.read_models import ReadModels
from engine.settings import Settings

QI = [sys.executable, "-m", "adapters.cli"]
EVENTS = 12


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A store with some history the audit trail has seen, and a signing key."""
    store = str(tmp_path / "qi.sqlite3")
    engine = QIEngine(Settings(store=store))
    ctx = engine.context(Actor(id="setup", role=Role.SYSTEM))
    for n in range(EVENTS):
        engine.issue_token(Grant(name=f"person-{n}", role=Role.AUDITOR), ctx)
    ReadModels(engine).wait_for()
    engine.close()
    base = {k: v for k, v in os.environ.items() if k != "QI_AUDIT_KEY"}
    key = tmp_path / "audit.pem"
    subprocess.run([*QI, "audit", "keygen", "--out", str(key)], env=base, check=True, capture_output=True)
    return base | {"QI_STORE": store, "QI_AUDIT_KEY": str(key), "COLUMNS": "200"}


def qi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*QI, *args], env=env, capture_output=True, text=True, timeout=120)


def saved_digest(env: dict[str, str], tmp_path: Path) -> Path:
    out = tmp_path / "digest.json"
    done = qi(env, "audit", "digest", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def sql(store: str, *statements: str) -> None:
    with sqlite3.connect(store) as conn:
        for statement in statements:
            conn.execute(statement)


def edit_event(env: dict[str, str], position: int) -> None:
    with sqlite3.connect(env["QI_STORE"]) as conn:
        (state,) = conn.execute("SELECT state FROM stored_events WHERE rowid = ?", (position,)).fetchone()
        forged = bytes(state).replace(b'"actor_id":"', b'"actor_id":"mallory-', 1)
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (forged, position))


def test_keygen_writes_a_key_only_its_owner_may_read_and_never_overwrites_one(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    made = qi(dict(os.environ), "audit", "keygen", "--out", str(key))
    assert made.returncode == 0 and "QI_AUDIT_KEY" in made.stdout
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    again = qi(dict(os.environ), "audit", "keygen", "--out", str(key))
    assert again.returncode != 0 and "already exists" in again.stdout + again.stderr
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")


def test_the_digest_commands_without_a_key_say_qi_audit_key_must_be_set(env: dict[str, str]) -> None:
    keyless = {k: v for k, v in env.items() if k != "QI_AUDIT_KEY"}
    for args in (("audit", "digest"), ("audit", "verify", "--digest", "digest.json")):
        done = qi(keyless, *args)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "QI_AUDIT_KEY is not set" in done.stdout + done.stderr


def test_a_digest_names_the_head_and_verifies_on_untouched_history(
    env: dict[str, str], tmp_path: Path
) -> None:
    digest = json.loads(saved_digest(env, tmp_path).read_text())
    assert digest["position"] == digest["events"] == EVENTS
    done = qi(env, "audit", "verify", "--digest", str(tmp_path / "digest.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit chain intact" in done.stdout and f"covers position {EVENTS}" in done.stdout


def test_truncating_the_events_and_the_audit_passes_plain_verify_but_not_the_digest(
    env: dict[str, str], tmp_path: Path
) -> None:
    digest = saved_digest(env, tmp_path)
    settings = Settings(store=env["QI_STORE"])
    sql(settings.store, "DELETE FROM stored_events WHERE rowid > 9")
    sql(settings.read_models_store, "DELETE FROM rm_audit WHERE position > 9")
    assert qi(env, "audit", "verify").returncode == 0  # the attack as reported: plain verify is fooled
    done = qi(env, "audit", "verify", "--digest", str(digest))
    assert done.returncode == 1
    assert (
        "the store ends at 9 but the digest of" in done.stdout and f"covers position {EVENTS}" in done.stdout
    )


def test_an_edited_event_rechained_by_a_rebuild_passes_plain_verify_but_not_the_digest(
    env: dict[str, str], tmp_path: Path
) -> None:
    digest = saved_digest(env, tmp_path)
    edit_event(env, 5)
    forced = qi(env, "rebuild", "audit", "--override-reason", "restored from backup")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert qi(env, "audit", "verify").returncode == 0  # re-chained: plain verify is fooled
    done = qi(env, "audit", "verify", "--digest", str(digest))
    assert done.returncode == 1
    assert (
        f"the chain hash at {EVENTS} differs from the digest: history at or before {EVENTS} was altered"
        in done.stdout
    )


def test_rebuild_audit_refuses_to_rechain_history_that_no_longer_matches_the_last_digest(
    env: dict[str, str], tmp_path: Path
) -> None:
    saved_digest(env, tmp_path)
    edit_event(env, 5)
    for args in (("rebuild", "audit"), ("rebuild",)):
        refused = qi(env, *args)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "refusing to re-chain the audit trail" in refused.stdout
        assert f"the chain hash at {EVENTS} differs from the digest" in refused.stdout
        assert "--override-reason" in refused.stdout
    with sqlite3.connect(Settings(store=env["QI_STORE"]).read_models_store) as conn:
        kept = conn.execute("SELECT COUNT(*) FROM rm_audit").fetchone()[0]
    assert kept == EVENTS  # nothing was rebuilt
    assert qi(env, "audit", "verify").returncode == 1  # and the edit still shows


def test_an_override_rebuild_records_who_overrode_which_digest_and_why(
    env: dict[str, str], tmp_path: Path
) -> None:
    saved_digest(env, tmp_path)
    edit_event(env, 5)
    forced = qi(env, "rebuild", "audit", "--override-reason", "restored from backup after disk failure")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    engine = QIEngine(Settings(store=env["QI_STORE"]))
    (override,) = [e for e in read_feed(engine, 0, 1000) if e.type == "org.qi.AuditRechained"]
    engine.close()
    assert override.data["reason"] == "restored from backup after disk failure"
    assert override.data["digest_position"] == EVENTS
    assert f"the chain hash at {EVENTS} differs" in override.data["problem"]
    assert override.data["actor_id"].startswith("cli:")
    # The override re-anchored the chain: a plain rebuild now matches the last digest.
    assert qi(env, "rebuild", "audit").returncode == 0


def test_an_override_needs_a_reason_in_words(env: dict[str, str], tmp_path: Path) -> None:
    saved_digest(env, tmp_path)
    edit_event(env, 5)
    done = qi(env, "rebuild", "audit", "--override-reason", "   ")
    assert done.returncode == 2 and "--override-reason" in done.stdout + done.stderr


def test_a_digest_whose_signature_or_figures_were_tampered_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = saved_digest(env, tmp_path)
    genuine = json.loads(path.read_text())
    signature = bytearray(base64.b64decode(genuine["signature"]))
    signature[0] ^= 1
    for forged in (
        genuine | {"signature": base64.b64encode(bytes(signature)).decode()},
        genuine | {"position": genuine["position"] - 1},
    ):
        path.write_text(json.dumps(forged))
        done = qi(env, "audit", "verify", "--digest", str(path))
        assert done.returncode == 1 and "the signature does not verify with the key" in done.stdout


def test_an_auditor_verifies_a_digest_with_only_the_public_key(env: dict[str, str], tmp_path: Path) -> None:
    digest = saved_digest(env, tmp_path)
    public = tmp_path / "audit.pub.pem"
    exported = qi(env, "audit", "public-key", "--out", str(public))
    assert exported.returncode == 0 and public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    auditor = {k: v for k, v in env.items() if k != "QI_AUDIT_KEY"}
    done = qi(auditor, "audit", "verify", "--digest", str(digest), "--public-key", str(public))
    assert done.returncode == 0, done.stdout + done.stderr
    other = tmp_path / "other.pem"
    qi(auditor, "audit", "keygen", "--out", str(other))
    wrong = qi(env | {"QI_AUDIT_KEY": str(other)}, "audit", "verify", "--digest", str(digest))
    assert wrong.returncode == 1 and "the signature does not verify with the key" in wrong.stdout


def test_a_file_that_is_not_a_digest_is_named(env: dict[str, str], tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    done = qi(env, "audit", "verify", "--digest", str(bogus))
    assert done.returncode == 2 and f"{bogus} is not an audit digest" in done.stdout + done.stderr
