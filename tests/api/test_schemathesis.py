"""Schemathesis with every check (`--checks all`) against the live server: the OpenAPI
document says what the server does.

The run is the command line an outside client would type, over a collaborative walked to
the sharing phase, so path parameters name things that exist and operations get past 404.
It is bounded (examples per operation, steps per stateful scenario, a per-request timeout)
and derandomised, so CI is repeatable; scripts/drill explores further at random.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from adapters.app import create_app
from aggregates.base import Role
from engine.application import QIEngine
from engine.settings import Settings
from scripts.drills.instrument_routes import INSTRUMENT
from scripts.drills.learning_routes import draw_package, node
from scripts.drills.world import Flow, build_world
from tests.api.conftest import issue

# Five examples per operation keep the suite within its 15 minutes; QI_SCHEMATHESIS_EXAMPLES and
# scripts/drill (hostile input, at random) explore further.
EXAMPLES = int(os.environ.get("QI_SCHEMATHESIS_EXAMPLES", "5"))
STATEFUL_STEPS = int(os.environ.get("QI_SCHEMATHESIS_STEPS", "6"))
SEED = None if os.environ.get("QI_SCHEMATHESIS_RANDOM") == "1" else 15
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# What a schema-valid request may be answered besides success: Schemathesis's own list
# (401/403 who, 404 an id that names nothing, 409 a rule, 429, 5xx left to not_a_server_error),
# plus 412: a well-formed If-Match naming a version that is no longer current (RFC 9110 13.1.1).
# And 422: this API answers 422 for input that is well formed but names what is not there
# (an id in the body), breaks a rule between fields (ends_on before starts_on, freeze with
# part) or reuses an Idempotency-Key; no OpenAPI schema can say those, so a schema-valid
# request may meet them. Everything a schema can say is declared, so the 422s that remain
# are these (see tests/api/test_openapi_truth.py for the ones that were the schema's fault).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, QIEngine]]:
    # A CAPCE id, so every accreditor's file can be made (without one, the CAPCE file is a 503 by design).
    engine = QIEngine(
        Settings(store=str(tmp_path_factory.mktemp("st") / "qi.sqlite3"), capce_provider_id="QIC1")
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", engine
    server.should_exit = True
    thread.join(timeout=10)
    engine.close()


def real_ids(flow: Flow) -> dict[str, str]:
    """One existing thing for every path parameter of the schema, made through the API."""
    draw_package(flow)
    collaborative = f"/collaboratives/{flow.collaborative}"
    upload = flow.staff.request(
        "POST", f"{collaborative}/resources/files", data={"kind": "tool_or_template", "title": "Policy"},
        files={"file": ("policy.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )  # fmt: skip
    assert upload.status_code == 201, upload.text
    resource = upload.json()["id"]  # a file, so that GET /resources/{id}/file has one to serve
    kit = {"title": "Kg toolkit", "change_idea_ids": [node(flow, "idea")]}
    toolkit = flow.ok(f"{collaborative}/toolkits", kit)["id"]
    team = flow.teams[0]
    instrument = flow.ok(f"{collaborative}/instruments", {"definition": INSTRUMENT})["id"]
    answers = {"instrument_id": instrument, "answers": {"pecc": True, "kg": 95}}
    assessment = flow.ok(f"/teams/{team}/instrument-assessments", answers)["created"]["InstrumentAssessment"][
        0
    ]
    return {
        "collaborative_id": flow.collaborative,
        "team_id": team,
        "project_team_id": team,
        "participant_id": flow.members[team],
        "activity_id": flow.session,
        "cycle_id": flow.cycles[team],
        "measure_key": "weight-kg",
        "node_id": node(flow, "secondary"),
        "change_idea_id": node(flow, "idea"),
        "resource_id": resource,
        "toolkit_id": toolkit,
        "instrument_id": instrument,
        "assessment_id": assessment,
    }


def config(token: str, ids: dict[str, str]) -> str:
    """schemathesis.toml: every check, bounded, as staff, with the world's ids."""
    parameters = "\n".join(f'"path.{name}" = "{value}"' for name, value in sorted(ids.items()))
    seed = f"seed = {SEED}" if SEED is not None else ""
    return f"""
{seed}

request-timeout = 30
hooks = "{HOOKS}"
[auth.openapi.HTTPBearer]
bearer = "{token}"
[generation]
max-examples = {EXAMPLES}
deterministic = {"true" if SEED is not None else "false"}
database = "none"
[phases.stateful]
max-steps = {STATEFUL_STEPS}
[checks.positive_data_acceptance]
expected-statuses = {json.dumps(ACCEPTED)}
[parameters]
{parameters}
"""


def test_schemathesis_with_every_check_finds_nothing(
    live_server: tuple[str, QIEngine], tmp_path: Path
) -> None:
    base_url, engine = live_server
    with httpx.Client(base_url=base_url, timeout=30) as client:
        ids = real_ids(build_world(client, engine, "sharing", "ST").flow)
    token = issue(engine, Role.STAFF, "schemathesis")
    (tmp_path / "schemathesis.toml").write_text(config(token, ids))
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{base_url}/openapi.json", "--checks", "all", "--no-color",
         "--report", "junit", "--report-dir", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, _failures(run.stdout) + run.stderr[-5000:]
    assert "FAILURES" not in run.stdout and " passed" in run.stdout, run.stdout[-5000:]


def _failures(output: str) -> str:
    """The run's summary first (what failed, where), then as many details as fit."""
    summary = output[output.rfind("SUMMARY") :]
    return summary + "\n" + output[output.find("FAILURES") :][:20000]


def test_the_schema_is_served_and_names_every_route(live_server: tuple[str, QIEngine]) -> None:
    base_url, _ = live_server
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    assert "/collaboratives/{collaborative_id}/phase" in paths
    assert json.dumps(paths).count('"operationId"') > 60
