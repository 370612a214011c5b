"""A signed transcript: the provider's Ed25519 signature over every line and its source
event position verifies offline with the public key; any byte of a line changed, or another
key, and it does not; made again for the same moment it is byte for byte the same; a
corrected attendance leaves it verifying but superseded when checked against the ledger.
And the `qi credits` commands do the same as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from engine import signed_transcripts as st
from engine.application import QIEngine
from engine.audit_key import generate_pem
from engine.read_models import ReadModels
from engine.settings import Settings
from tests.conftest import Clock
from tests.credits.scenario import Scenario

AS_OF = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def models(sqlite_engine: QIEngine) -> Iterator[ReadModels]:
    made = ReadModels(sqlite_engine)
    yield made
    made.close()


@pytest.fixture
def world(sqlite_engine: QIEngine, clock: Clock) -> Scenario:
    return Scenario(sqlite_engine, clock).start()


def _signed(models: ReadModels, world: Scenario, key: st.SigningKey) -> bytes:
    transcript = models.transcript(world.people["doc"])
    return st.sign(st.document(transcript, "Children's Hospital CE", AS_OF), key)


def test_a_signed_transcript_verifies_and_fails_after_any_byte_of_a_line_is_changed(
    world: Scenario, models: ReadModels
) -> None:
    world.attend(world.session(max_hours=1.5), "doc", 75)
    key = st.credit_key(generate_pem())
    data = _signed(models, world, key)
    checked = st.verify(data, key.verifying)
    assert checked.valid and checked.transcript is not None
    lines = checked.transcript["lines"]
    assert [(line["credit_type"], line["amount"]) for line in lines] == [("cme", 1.25), ("moc_part_2", 1.25)]
    assert all(line["source_position"] > 0 for line in lines)

    body = data.decode()
    start = body.index('"lines"')
    for offset in range(
        start + 10, body.index('"name"') if body.index('"name"') > start else len(body) - 80, 7
    ):
        if body[offset] in '"{}[],: \n':
            continue  # the JSON's shape: changing it is caught as malformed, tried below
        changed = body[:offset] + ("0" if body[offset] != "0" else "1") + body[offset + 1 :]
        assert not st.verify(changed.encode(), key.verifying).valid, f"a change at byte {offset} verified"
    assert not st.verify(data[:-20], key.verifying).valid
    other = st.credit_key(generate_pem())
    assert "not with" in st.verify(data, other.verifying).reason


def test_made_again_for_the_same_moment_it_is_byte_identical(world: Scenario, models: ReadModels) -> None:
    world.attend(world.session(), "doc", 90)
    key = st.credit_key(generate_pem())
    assert _signed(models, world, key) == _signed(models, world, key)


def test_a_corrected_attendance_leaves_the_earlier_transcript_verifying_but_superseded(
    world: Scenario, models: ReadModels
) -> None:
    session = world.session(max_hours=1.5)
    world.attend(session, "doc", 75)
    key = st.credit_key(generate_pem())
    earlier = st.verify(_signed(models, world, key), key.verifying).transcript
    assert earlier is not None
    assert st.superseded_by(earlier, models.transcript(world.people["doc"])) == {}
    world.attend(session, "doc", 45)  # corrected: the 75 minutes' credit is reversed
    superseded = st.superseded_by(earlier, models.transcript(world.people["doc"]))
    assert sorted(superseded) == sorted(line["entry_id"] for line in earlier["lines"])


def test_qi_credits_sign_and_verify_as_a_user_runs_them(tmp_path: Path, clock: Clock) -> None:
    store = tmp_path / "qi.sqlite3"
    engine = QIEngine(Settings(store=str(store)), clock)
    world = Scenario(engine, clock).start()
    session = world.session(max_hours=1.5)
    world.attend(session, "doc", 75)
    clock.advance(minutes=1)
    then = clock.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")  # before the correction below
    engine.close()
    pem = generate_pem()
    key_file, public = tmp_path / "provider.pem", tmp_path / "provider.pub.pem"
    key_file.write_text(pem)
    public.write_text(st.credit_key(pem).verifying.pem())
    env = os.environ | {
        "QI_STORE": str(store),
        "QI_CREDIT_KEY": str(key_file),
        "QI_PROVIDER_NAME": "Children's CE",
    }
    qi = [sys.executable, "-m", "adapters.cli", "credits"]
    out = tmp_path / "transcript.json"
    run = lambda *args, **extra: subprocess.run([*qi, *args], env=env | extra, capture_output=True, text=True)  # noqa: E731
    assert run("sign", str(world.people["doc"]), "--out", str(out)).returncode == 0
    made_then = tmp_path / "then.json"
    assert run("sign", str(world.people["doc"]), "--out", str(made_then), "--as-of", then).returncode == 0
    assert orjson.loads(out.read_bytes())["transcript"]["provider"] == "Children's CE"
    ok = run("verify", str(out), "--public-key", str(public), "--online")
    assert ok.returncode == 0 and "verifies" in ok.stdout and "no line reversed since" in ok.stdout

    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(out.read_bytes().replace(b'"amount": 1.25', b'"amount": 9.25', 1))
    refused = run("verify", str(tampered), "--public-key", str(public))
    assert refused.returncode == 1 and "changed after it was signed" in refused.stdout

    later = QIEngine(Settings(store=str(store)), clock)
    Scenario(later, clock, world.collaborative, world.team, world.people).attend(session, "doc", 45)
    later.close()
    superseded = run("verify", str(out), "--public-key", str(public), "--online")
    assert superseded.returncode == 3 and "superseded" in superseded.stdout
    again = tmp_path / "again.json"
    assert run("sign", str(world.people["doc"]), "--out", str(again), "--as-of", then).returncode == 0
    assert again.read_bytes() == made_then.read_bytes()  # re-made for that moment after the correction
    assert b'"amount": 1.25' in again.read_bytes() and b"-1.25" not in again.read_bytes()
    future = run("sign", str(world.people["doc"]), "--out", str(again), "--as-of", "2999-01-01T00:00:00")
    assert future.returncode == 2 and "still to come" in future.stdout + future.stderr

    nobody = run("sign", "00000000-0000-4000-8000-000000000001", "--out", str(tmp_path / "n.json"))
    assert nobody.returncode == 1 and "no participant with id" in nobody.stdout
    unsigned = run("sign", str(world.people["doc"]), "--out", str(tmp_path / "x.json"), QI_CREDIT_KEY="")
    assert unsigned.returncode == 2 and "QI_CREDIT_KEY is not set" in unsigned.stdout + unsigned.stderr
