"""A CE certificate as a PDF, its text read back (pypdf): the person, each activity with its
date, credit type and amount, the totals and the provider's accreditation statement;
reversed credit is not on it; made again for the same moment it is the same bytes; and
`qi credits certificate` writes one as a user runs it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from pypdf import PdfReader

from adapters.exports.certificates import certificate_pdf, lines_within
from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings
from tests.conftest import Clock
from tests.credits.scenario import Scenario

STATEMENT = "The provider designates this live activity for a maximum of 1.5 AMA PRA Category 1 Credits."
MADE = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf), strict=True).pages
    )


def test_a_certificate_names_the_person_each_credit_the_totals_and_the_statement(
    sqlite_engine: QIEngine, clock: Clock
) -> None:
    world = Scenario(sqlite_engine, clock).start()
    session = world.session(max_hours=1.5)
    world.attend(session, "doc", 90)
    world.attend(session, "doc", 75)  # corrected: the 1.5 hours are reversed, 1.25 stand
    models = ReadModels(sqlite_engine)
    try:
        transcript = models.transcript(world.people["doc"])
    finally:
        models.close()
    lines = lines_within(transcript, date(2025, 1, 1), date(2025, 12, 31), None)
    pdf = certificate_pdf(
        transcript,
        lines,
        "Children's Hospital CE",
        STATEMENT,
        MADE,
        "from 1 January 2025 to 31 December 2025",
    )
    text = text_of(pdf)
    day = f"{lines[0].credit_date:%-d %B %Y}"
    assert "Certificate of continuing education" in text and "Dr Ada Lee" in text and "ABP 123456" in text
    assert f"{day} Learning session 1: 1.25 AMA PRA Category 1 Credit(s)" in text
    assert f"{day} Learning session 1: 1.25 ABP MOC Part 2 point(s)" in text
    assert "1.5 AMA PRA" not in text.replace(STATEMENT, "")  # the reversed award is not certified
    assert "Total: 1.25 AMA PRA Category 1 Credit(s); 1.25 ABP MOC Part 2 point(s)" in text
    assert STATEMENT in text and "Issued 31 March 2025 by Children's Hospital CE." in text
    assert pdf == certificate_pdf(
        transcript,
        lines,
        "Children's Hospital CE",
        STATEMENT,
        MADE,
        "from 1 January 2025 to 31 December 2025",
    )
    nothing = certificate_pdf(
        transcript,
        lines_within(transcript, date(2026, 1, 1), None, None),
        "P",
        None,
        MADE,
        "from 1 January 2026",
    )
    assert "No credit in this period." in text_of(nothing)


def test_qi_credits_certificate_writes_one_for_an_activity(tmp_path: Path, clock: Clock) -> None:
    store = tmp_path / "qi.sqlite3"
    engine = QIEngine(Settings(store=str(store)), clock)
    world = Scenario(engine, clock).start()
    session = world.session(max_hours=1.5)
    world.attend(session, "nurse", 44)
    engine.close()
    out = tmp_path / "certificate.pdf"
    env = os.environ | {
        "QI_STORE": str(store),
        "QI_ACCREDITATION_STATEMENT": STATEMENT,
        "QI_PROVIDER_NAME": "Mercy CE",
    }
    made = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "credits", "certificate", str(world.people["nurse"]), "--out", str(out),
         "--activity", str(session)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    text = text_of(out.read_bytes())
    assert "Ben Ortiz" in text and "0.5 nursing contact hour(s)" in text and "in the activity below" in text
    assert STATEMENT in text and "Mercy CE" in text


def test_a_certificate_re_made_for_a_past_moment_is_the_same_bytes_after_a_correction(
    tmp_path: Path, clock: Clock
) -> None:
    store = tmp_path / "qi.sqlite3"
    engine = QIEngine(Settings(store=str(store)), clock)
    world = Scenario(engine, clock).start()
    session = world.session(max_hours=1.5)
    world.attend(session, "nurse", 60)
    clock.advance(minutes=1)
    then = clock.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    env = os.environ | {"QI_STORE": str(store), "QI_ACCREDITATION_STATEMENT": STATEMENT}
    nurse = str(world.people["nurse"])

    def certificate(name: str, *args: str) -> bytes:
        out = tmp_path / name
        made = subprocess.run([sys.executable, "-m", "adapters.cli", "credits", "certificate", nurse, "--out",
                               str(out), *args], env=env, capture_output=True, text=True)  # fmt: skip
        assert made.returncode == 0, made.stdout + made.stderr
        return out.read_bytes()

    made_then = certificate("then.pdf", "--as-of", then)
    world.attend(session, "nurse", 30)  # corrected: the hour is reversed, half an hour stands
    engine.close()
    assert certificate("again.pdf", "--as-of", then) == made_then
    assert "1 nursing contact hour(s)" in text_of(made_then)
    assert "0.5 nursing contact hour(s)" in text_of(certificate("now.pdf"))
