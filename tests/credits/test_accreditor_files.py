"""The accreditors' files over HTTP, from one session offering every credit type to three
physicians, two pharmacists, two nurses and three EMS clinicians (one physician's attendance
corrected): each file checked field by field against its published layout
(tests/credits/accreditor_layouts.py); a file is refused while the credit check lists
anyone for it, naming exactly those who lack what it needs, and made of the rest when asked;
made again for a past moment after a correction and after a learner added their ids, it is
the same bytes; CAPCE's needs the provider's CAPCE id; only staff and auditors make them."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from uuid import UUID
from xml.etree import ElementTree as ET

import orjson
import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.activity_ids import ActivityIds
from aggregates.base import Role
from aggregates.learner_ids import BirthDay, BoardId, LearnerIds, StateLicence
from aggregates.participant import PersonDetails
from aggregates.values import CreditType, Discipline
from engine.application import QIEngine
from engine.commands.activity import UpdateParticipant
from engine.settings import Settings
from tests.api.conftest import Api, issue
from tests.conftest import Clock
from tests.credits import accreditor_layouts as layout
from tests.credits.scenario import Scenario

EVERY = (CreditType.CME, CreditType.MOC_PART_2, CreditType.ACPE, CreditType.CNE, CreditType.CAPCE)
ROSTER = {
    "ada": (Discipline.PHYSICIAN, "Dr Ada Lee"),
    "raj": (Discipline.PHYSICIAN, "Dr Raj Rao"),
    "eve": (Discipline.PHYSICIAN, "Dr Eve Stone"),
    "pia": (Discipline.PHARMACIST, "Pia Moss"),
    "pat": (Discipline.PHARMACIST, "Pat Quinn"),
    "ben": (Discipline.NURSE, "Ben Ortiz"),
    "cat": (Discipline.NURSE, "Cat Ng"),
    "cy": (Discipline.PARAMEDIC, "Cy Park"),
    "dot": (Discipline.EMT, "Dot Hale"),
    "eli": (Discipline.PARAMEDIC, "Eli Moon"),
}
IDS = {
    "ada": LearnerIds(first_name="Ada", last_name="Lee", birth_day=BirthDay(month=2, day=29),
                      boards=(BoardId(board="ABP", number="123456"),)),
    "raj": LearnerIds(first_name="Raj", last_name="Rao"),  # no birthday, no board: CME only
    "eve": LearnerIds(first_name="Eve", last_name="Stone", birth_day=BirthDay(month=7, day=4),
                      boards=(BoardId(board="ABP", number="654321"),), npi="1234567893",
                      state_licences=(StateLicence(state="mt", number="MD-4455"),)),
    "pia": LearnerIds(first_name="Pia", last_name="Moss", nabp_eprofile_id="1234567",
                      birth_day=BirthDay(month=11, day=5)),
    "pat": LearnerIds(first_name="Pat", last_name="Quinn", nabp_eprofile_id="7654321"),  # no birthday
    "ben": LearnerIds(first_name="Ben", last_name="Ortiz"),
    "cat": None,  # no names on record
    "cy": LearnerIds(first_name="Cy", last_name="Park", nremt_id="E1234567"),
    "dot": LearnerIds(first_name="Dot", last_name="Hale", state_licences=(StateLicence(state="MT", number="EMT-991"),)),
    "eli": LearnerIds(first_name="Eli", last_name="Moon"),  # neither NREMT number nor licence
}  # fmt: skip
REGISTERED = ActivityIds(
    pars_activity_id="202512345", acpe_uan="1234-0000-25-001-L04-P", capce_course_number="25-EMT-F1-0001"
)
LEFT_OUT = {
    "pars": [
        "Dr Raj Rao, ACCME PARS (MOC): no date of birth (month and day); no ABP board id",
    ],
    "cpe-monitor": ["Pat Quinn, CPE Monitor: no date of birth (month and day)"],
    "capce": ["Eli Moon, CAPCE: no NREMT number or state licence"],
    "nursing": ["Cat Ng, ANCC contact hours: no first name; no last name"],
}


@dataclass
class World:
    scenario: Scenario
    staff: Api
    session: UUID
    corrected_at: str  # a moment before ada's correction
    engine: QIEngine

    def file(self, name: str, **params: str) -> tuple[int, bytes, dict[str, str]]:
        path = f"/collaboratives/{self.scenario.collaborative}/accreditor-files/{name}"
        response = self.staff.get(path, **params)
        return response.status_code, response.content, dict(response.headers)

    def made(self, name: str, **params: str) -> bytes:
        status, body, _ = self.file(name, leave_out_unreportable="true", **params)
        assert status == 200, body
        return body


def _engine(tmp_path: Path, clock: Clock, **settings: object) -> QIEngine:
    return QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), snapshot_interval=5, **settings), clock)  # type: ignore[arg-type]


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    engine = _engine(tmp_path, clock, capce_provider_id="QIC1234")
    roster = {who: (d, PersonDetails(name=name)) for who, (d, name) in ROSTER.items()}
    scenario = Scenario(engine, clock, roster=roster).start()
    for who, ids in IDS.items():
        scenario.run(UpdateParticipant(participant_id=scenario.people[who],
                                       details=PersonDetails(name=ROSTER[who][1], learner=ids)))  # fmt: skip
    session = scenario.session(offered=EVERY, max_hours=2.0, accreditor=REGISTERED)
    scenario.attend(session, "ada", 60)
    for who in ROSTER:
        if who != "ada":
            scenario.attend(session, who, 90)
    before = clock.now.astimezone(UTC).isoformat().replace("+00:00", "Z")
    scenario.attend(session, "ada", 105)  # corrected: 1.75 hours, not 1
    with TestClient(create_app(engine)) as client:
        yield World(scenario, Api(client, issue(engine, Role.STAFF, "ann-staff")), session, before, engine)
    engine.close()


def _rows(body: bytes, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode()), delimiter=delimiter))


def test_the_pars_file_has_the_templates_columns_and_one_row_per_completion_with_cme_and_moc_together(
    world: World,
) -> None:
    body = world.made("pars")
    lines = body.decode().split("\r\n")
    assert lines[0].split("\t") == layout.PARS_HEADER and lines[-1] == ""
    rows = _rows(body, "\t")
    assert [(r["Last Name"], r["First Name"]) for r in rows] == [
        ("Lee", "Ada"),
        ("Rao", "Raj"),
        ("Stone", "Eve"),
    ]
    ada, raj, eve = rows
    assert ada == {
        "Record Action": "Add", "ACCME Activity ID": "202512345", "Completion Date": "03/02/2025",
        "First Name": "Ada", "Last Name": "Lee", "Date of Birth": "02/29", "Licensing State": "",
        "Licensing ID or NPI": "", "Number of CME Credits": "1.75", "Certifying Board": "ABP",
        "Certifying Board ID": "123456", "Total Board Credits": "1.75",
        "Credit Type": "Lifelong Learning and Self-Assessment", "Credits Awarded for Credit Type": "1.75",
    }  # fmt: skip
    # Raj's MOC waits for his birthday and board id; his CME goes now, without board columns.
    assert (raj["Number of CME Credits"], raj["Date of Birth"], raj["Certifying Board"], raj["Credit Type"]) == (
        "1.5", "", "", "",
    )  # fmt: skip
    assert (eve["Licensing State"], eve["Licensing ID or NPI"], eve["Certifying Board ID"]) == (
        "MT",
        "MD-4455",
        "654321",
    )
    assert all(len(line.split("\t")) == len(layout.PARS_HEADER) for line in lines[:-1])


def test_the_cpe_monitor_file_gives_each_pharmacists_submission_in_the_services_parameters(
    world: World,
) -> None:
    rows = _rows(world.made("cpe-monitor"), ",")
    assert list(rows[0]) == layout.CPE_MONITOR_PARAMETERS
    assert rows == [
        {"provider_number": "1234", "epid": "1234567", "date_of_birth": "1105", "uan": "1234-0000-25-001-L04-P",
         "date_of_participation": "2025-03-02", "action": "I"},
    ]  # fmt: skip


def test_the_capce_file_is_the_dataset_xml_with_its_schema_and_a_record_per_ems_completion(
    world: World,
) -> None:
    body = world.made("capce")
    assert body.startswith(b'<?xml version="1.0" standalone="yes"?>')
    ns = {"d": layout.CAPCE_NAMESPACE, "xs": "http://www.w3.org/2001/XMLSchema"}
    root = ET.fromstring(body)
    assert root.tag == f"{{{layout.CAPCE_NAMESPACE}}}{layout.CAPCE_ROOT}"
    sequence = root.find(f"xs:schema/xs:element/xs:complexType/xs:choice/xs:element[@name='{layout.CAPCE_RECORD}']"
                         "/xs:complexType/xs:sequence", ns)  # fmt: skip
    assert sequence is not None
    assert [e.get("name") for e in sequence] == layout.CAPCE_SEQUENCE
    records = root.findall(f"d:{layout.CAPCE_RECORD}", ns)
    found = [{child.tag.split("}")[1]: child.text for child in record} for record in records]
    for record in found:  # each record's elements in the schema's order
        assert list(record) == [name for name in layout.CAPCE_SEQUENCE if name in record]
    assert found == [
        {"licenseType": "EMT", "stateIssued": "MT", "licenseNo": "EMT-991", "dateOfCompletion": "03-02-2025",
         "provider": "QIC1234", "nameLast": "Hale", "nameFirst": "Dot", "courseNo": "25-EMT-F1-0001", "units": "1.5"},
        {"licenseType": "Paramedic", "dateOfCompletion": "03-02-2025", "provider": "QIC1234", "nameLast": "Park",
         "nameFirst": "Cy", "nremtNo": "E1234567", "courseNo": "25-EMT-F1-0001", "units": "1.5"},
    ]  # fmt: skip


def test_the_nursing_record_names_each_nurses_contact_hours_and_the_day_it_may_be_discarded(
    world: World,
) -> None:
    rows = _rows(world.made("nursing"), ",")
    assert rows == [
        {"Last Name": "Ortiz", "First Name": "Ben", "Activity": "Learning session 1", "Activity Date": "2025-03-02",
         "Completion Date": "2025-03-02", "Contact Hours": "1.5", "Ledger Entries": rows[0]["Ledger Entries"],
         "Source Positions": rows[0]["Source Positions"],
         "Keep Until": f"{2025 + layout.NURSING_RETENTION_YEARS}-03-02"},
    ]  # fmt: skip
    entry = rows[0]["Ledger Entries"]
    assert entry.endswith(":cne") and entry.split(":")[0] == rows[0]["Source Positions"]


@pytest.mark.parametrize("name", sorted(LEFT_OUT))
def test_a_file_is_refused_while_the_check_lists_someone_naming_exactly_who_lacks_what(
    world: World, name: str
) -> None:
    status, body, headers = world.file(name)
    assert status == 409 and headers["content-type"] == "application/problem+json"
    problem = orjson.loads(body)
    assert problem["left_out"] == LEFT_OUT[name]
    assert problem["rule"] == "every_completion_reportable"
    assert "leave_out_unreportable=true" in problem["detail"]


def test_a_file_remade_for_a_past_moment_is_the_same_bytes_after_a_correction_and_new_ids(
    world: World,
) -> None:
    then = {name: world.made(name, as_of=world.corrected_at) for name in LEFT_OUT}
    assert "\t1\t" in then["pars"].decode().split("\r\n")[1]  # Ada's one hour, before her correction
    raj = world.scenario.people["raj"]
    ids = IDS["raj"].model_copy(
        update={"birth_day": BirthDay(month=1, day=2), "boards": (BoardId(board="ABP", number="777"),)}
    )  # type: ignore[union-attr]
    world.scenario.run(
        UpdateParticipant(participant_id=raj, details=PersonDetails(name="Dr Raj Rao", learner=ids))
    )
    world.scenario.attend(world.session, "ben", 30)  # another correction, later still
    assert {name: world.made(name, as_of=world.corrected_at) for name in LEFT_OUT} == then
    now = world.made("pars")
    assert world.file("pars")[0] == 200  # Raj is reportable now: nobody is left out
    assert "\t01/02\t" in now.decode() and now != then["pars"]


def test_the_capce_file_needs_the_providers_capce_id(tmp_path: Path, clock: Clock) -> None:
    engine = _engine(tmp_path, clock)
    scenario = Scenario(engine, clock).start()
    with TestClient(create_app(engine)) as client:
        staff = Api(client, issue(engine, Role.STAFF, "ann-staff"))
        response = staff.get(f"/collaboratives/{scenario.collaborative}/accreditor-files/capce")
        assert response.status_code == 503
        assert "QI_CAPCE_PROVIDER_ID" in response.json()["detail"]
        assert (
            staff.get(f"/collaboratives/{scenario.collaborative}/accreditor-files/nursing").status_code == 200
        )
        assert staff.get(f"/collaboratives/{scenario.collaborative}/accreditor-files/ancc").status_code == 422
    engine.close()


def test_only_staff_and_the_collaboratives_auditors_make_the_files(world: World) -> None:
    engine, collaborative = world.engine, world.scenario.collaborative
    path = f"/collaboratives/{collaborative}/accreditor-files/nursing"
    coach = Api(world.staff.client, issue(engine, Role.COACH, "coach"))
    auditor = Api(world.staff.client, issue(engine, Role.AUDITOR, "auditor"))
    assert coach.get(path, leave_out_unreportable="true").status_code == 403
    assert auditor.get(path, leave_out_unreportable="true").status_code == 200


def test_qi_credits_file_writes_one_or_lists_who_cannot_be_reported(tmp_path: Path, clock: Clock) -> None:
    engine = _engine(tmp_path, clock)
    roster = {
        who: (d, PersonDetails(name=name))
        for who, (d, name) in ROSTER.items()
        if who in ("ada", "raj", "pia")
    }
    scenario = Scenario(engine, clock, roster=roster).start()
    for who in roster:
        scenario.run(UpdateParticipant(participant_id=scenario.people[who],
                                       details=PersonDetails(name=ROSTER[who][1], learner=IDS[who])))  # fmt: skip
    session = scenario.session(offered=EVERY, max_hours=2.0, accreditor=REGISTERED)
    scenario.attend(session, "ada", 90)
    scenario.attend(session, "raj", 90)
    scenario.attend(session, "pia", 90)
    engine.close()
    env = os.environ | {"QI_STORE": str(tmp_path / "qi.sqlite3")}
    out = tmp_path / "pars.txt"

    def qi(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "adapters.cli", "credits", "file", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True)

    refused = qi("pars", str(scenario.collaborative), "--out", str(out))
    assert refused.returncode == 4 and not out.exists()
    assert "Dr Raj Rao, ACCME PARS (MOC): no date of birth (month and day); no ABP board id" in refused.stdout
    made = qi("pars", str(scenario.collaborative), "--out", str(out), "--leave-out")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "(2 completions; left out: 1)" in " ".join(made.stdout.split())
    lines = out.read_bytes().decode().split("\r\n")
    assert lines[0].split("\t") == layout.PARS_HEADER and [line.split("\t")[4] for line in lines[1:-1]] == [
        "Lee",
        "Rao",
    ]
    pharmacy = qi("cpe-monitor", str(scenario.collaborative), "--out", str(tmp_path / "cpe.csv"))
    assert pharmacy.returncode == 0, pharmacy.stdout + pharmacy.stderr
    # Made now (the command's clock), the 2025 session is long past ACPE's 60 days: said, and still written.
    assert "past CPE Monitor's 60 days: Pia Moss, Learning session 1, 2025-03-01" in " ".join(
        pharmacy.stdout.split()
    )
    missing = qi("capce", str(scenario.collaborative), "--out", str(tmp_path / "capce.xml"), "--leave-out")
    assert missing.returncode == 2 and "QI_CAPCE_PROVIDER_ID" in missing.stdout + missing.stderr
