"""The CE ledger over HTTP: transcripts as JSON, the collaborative's credits as
JSON and CSV, MOC Part 4 attestations, and who may see or do which."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Role
from engine.application import QIEngine
from projections.credits.schemas import CSV_COLUMNS
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock

STATEMENT = {"statement": "I led the kg-only scale tests and studied the results."}
DOCTOR = {
    "person": {"name": "Dr Ada Lee", "licences": [{"kind": "ABP", "number": "123456"}]},
    "discipline": "physician",
}


@dataclass
class World:
    flow: HttpFlow
    staff: Api
    nurse: str
    doctor: str

    @property
    def team(self) -> str:
        return self.flow.teams[0]

    def token(self, role: Role, **scope: object) -> Api:
        engine: QIEngine = self.staff.client.app.state.engine  # type: ignore[attr-defined]
        return Api(self.staff.client, issue(engine, role, role.value, **scope))


@pytest.fixture
def client(sqlite_engine: QIEngine) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_engine)) as test_client:
        yield test_client


@pytest.fixture
def world(client: TestClient, sqlite_engine: QIEngine, clock: Clock) -> World:
    """Two teams through a learning session (cme + cne, 90 minutes each), and a physician."""
    staff = Api(client, issue(sqlite_engine, Role.STAFF, "ann-staff"))
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    doctor = flow.ok(f"/teams/{flow.teams[0]}/members", {"member": DOCTOR})["created"]["Participant"][0]
    flow.ok(f"/activities/{flow.session}/attendance", {"participant_id": doctor, "minutes": 50})
    return World(flow, staff, flow.members[flow.teams[0]], doctor)


def test_the_transcript_shows_totals_entries_and_reversals(world: World) -> None:
    world.flow.ok(
        f"/activities/{world.flow.session}/attendance", {"participant_id": world.nurse, "minutes": 50}
    )
    response = world.staff.get(f"/participants/{world.nurse}/transcript")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Mercy ED lead"
    assert body["totals"] == [{"credit_type": "cne", "unit": "hours", "amount": 0.75}]
    assert [(e["amount"], e["minutes"]) for e in body["entries"]] == [(1.5, 90), (0.75, 50)]
    (reversal,) = body["reversals"]
    assert (reversal["amount"], reversal["reverses"]) == (-1.5, body["entries"][0]["entry_id"])
    assert body["entries"][0]["reversed_by"] == reversal["entry_id"]


def test_a_physicians_transcript_has_cme_but_no_moc_part_2_when_it_is_not_offered(world: World) -> None:
    body = world.staff.get(f"/participants/{world.doctor}/transcript").json()
    assert body["licences"] == ["ABP 123456"]
    assert [(e["credit_type"], e["amount"], e["rule_version"]) for e in body["entries"]] == [
        ("cme", 0.75, "ama-pra-1/2025.1")
    ]


def test_the_credits_csv_has_a_header_and_one_row_per_entry(world: World) -> None:
    response = world.staff.get(f"/collaboratives/{world.flow.collaborative}/credits.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(header) == CSV_COLUMNS
    assert [(r[0], r[1], r[2], r[5], r[6], r[7], r[8]) for r in rows] == [
        ("Mercy ED lead", "", world.nurse, "AAP", "cne", "hours", "1.5"),
        ("Dr Ada Lee", "ABP 123456", world.doctor, "AAP", "cme", "hours", "0.75"),
    ]
    assert rows[1][3] == world.flow.session and rows[1][4] == "LS1"


def _namesake(world: World) -> str:
    """A second nurse on the same team, with the first nurse's name and no licence either."""
    member = {"person": {"name": "Mercy ED lead"}, "discipline": "nurse"}
    namesake = world.flow.ok(f"/teams/{world.team}/members", {"member": member})["created"]["Participant"][0]
    world.flow.ok(f"/activities/{world.flow.session}/attendance", {"participant_id": namesake, "minutes": 60})
    return str(namesake)


def test_two_learners_of_the_same_name_without_licences_are_told_apart_by_id_in_the_csv(world: World) -> None:
    namesake = _namesake(world)
    text = world.staff.get(f"/collaboratives/{world.flow.collaborative}/credits.csv").text
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["Learner Name", "Licence/Board ID", "Learner ID"]
    same_name = [(r[1], r[2], r[8]) for r in rows if r[0] == "Mercy ED lead"]
    assert same_name == [("", world.nurse, "1.5"), ("", namesake, "1")]


def test_a_transcripts_csv_names_its_learner_by_id(world: World, client: TestClient) -> None:
    from tests.web.pages import signed_in

    namesake = _namesake(world)
    page = signed_in(client, str(world.staff.token))
    for participant, amount in ((world.nurse, "1.5"), (namesake, "1")):
        download = page.get(f"/ui/participants/{participant}/transcript.csv")
        assert download.status_code == 200, download.text
        [row] = list(csv.reader(io.StringIO(download.text)))[1:]
        assert (row[0], row[2], row[8]) == ("Mercy ED lead", participant, amount)


def test_the_csv_lists_reversals_as_negative_rows_and_defuses_formulas(world: World) -> None:
    body = world.staff.client.put(
        f"/participants/{world.doctor}",
        json={"details": {"name": "=HYPERLINK(1)"}},
        headers=world.staff.headers(),
    )
    assert body.status_code == 200, body.text
    world.flow.ok(
        f"/activities/{world.flow.session}/attendance", {"participant_id": world.doctor, "minutes": 15}
    )
    text = world.staff.get(f"/collaboratives/{world.flow.collaborative}/credits.csv").text
    rows = list(csv.reader(io.StringIO(text)))[1:]
    doctor_rows = [(r[0], r[8], r[11] != "") for r in rows if r[6] == "cme"]
    assert doctor_rows == [
        ("'=HYPERLINK(1)", "0.75", False),
        ("'=HYPERLINK(1)", "-0.75", True),
        ("'=HYPERLINK(1)", "0.25", False),
    ]


def test_the_credits_json_matches_the_csv(world: World) -> None:
    rows = world.staff.get(f"/collaboratives/{world.flow.collaborative}/credits").json()
    assert [(r["learner_name"], r["credit_type"], r["amount"]) for r in rows] == [
        ("Mercy ED lead", "cne", 1.5),
        ("Dr Ada Lee", "cme", 0.75),
    ]


def test_a_member_attests_once_and_a_repeat_records_nothing(world: World) -> None:
    path = f"/participants/{world.doctor}/attestations"
    first = world.staff.ok(path, {"team_id": world.team, **STATEMENT})
    assert (first["id"], first["events"]) == (world.doctor, ["MocPart4Attested"])
    assert world.staff.ok(path, {"team_id": world.team, **STATEMENT})["events"] == []


def test_attesting_for_an_unknown_team_or_a_team_one_is_not_on_is_refused(world: World) -> None:
    path = f"/participants/{world.doctor}/attestations"
    unknown = world.staff.post(path, {"team_id": world.flow.collaborative, **STATEMENT}, expect=422)
    assert "no team with id" in unknown.json()["detail"]
    other = world.staff.post(path, {"team_id": world.flow.teams[1], **STATEMENT}, expect=409)
    assert "is not a member of team 'Big Sky EMS'" in other.json()["detail"]
    world.staff.post(path, {"team_id": world.team, "statement": "  "}, expect=422)


def test_unknown_participants_and_collaboratives_are_not_found(world: World) -> None:
    assert world.staff.get(f"/participants/{world.team}/transcript").status_code == 404
    assert world.staff.get(f"/collaboratives/{world.team}/credits").status_code == 404
    assert world.staff.get(f"/collaboratives/{world.team}/credits.csv").status_code == 404
    assert world.staff.get(f"/collaboratives/{world.team}/credit-check").status_code == 404
    assert (
        world.staff.post(
            f"/participants/{world.team}/attestations", {"team_id": world.team, **STATEMENT}
        ).status_code
        == 404
    )


def test_a_team_token_may_not_read_credit_nor_attest_but_an_auditor_may_read(world: World) -> None:
    team = world.token(Role.TEAM, team_id=world.team)
    auditor = world.token(Role.AUDITOR)
    reads = [
        f"/participants/{world.doctor}/transcript",
        f"/collaboratives/{world.flow.collaborative}/credits",
        f"/collaboratives/{world.flow.collaborative}/credits.csv",
        f"/collaboratives/{world.flow.collaborative}/credit-check",
    ]
    for path in reads:
        assert team.get(path).status_code == 403, path
        assert auditor.get(path).status_code == 200, path
    refused = team.post(f"/participants/{world.doctor}/attestations", {"team_id": world.team, **STATEMENT})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert (
        world.staff.get(f"/participants/{world.doctor}/transcript").json()["entries"][0]["credit_type"]
        == "cme"
    )


def test_the_credit_check_names_each_learner_who_cannot_be_reported_as_of_a_moment(world: World) -> None:
    check = world.staff.get(f"/collaboratives/{world.flow.collaborative}/credit-check").json()
    lacking = {(m["report"], m["learner_name"]): m["lacks"] for m in check["learners"]}
    assert lacking[("ACCME PARS (CME)", "Dr Ada Lee")] == ["no first name", "no last name"]
    assert [a["lacks"] for a in check["activities"]] == [["the activity has no PARS activity id"]] * len(
        check["activities"]
    )
    earlier = world.staff.get(
        f"/collaboratives/{world.flow.collaborative}/credit-check", as_of="2000-01-01T00:00:00Z"
    ).json()
    assert earlier["reports"] == [] and earlier["learners"] == []


def test_a_credit_check_moment_that_is_no_moment_is_refused_naming_it(world: World) -> None:
    refused = world.staff.get(f"/collaboratives/{world.flow.collaborative}/credit-check", as_of="last week")
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert "as_of" in refused.text
