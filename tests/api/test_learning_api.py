"""Shared learning over HTTP: uploads checked and downloads verified against the
recorded SHA-256, refused uploads, library search, the driver diagram (JSON and
SVG), PDSA cycles linked to change ideas, comments and 'we are trying this',
toolkits exported as HTML and PDF with exactly their selection, and audit rows."""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from aggregates.base import Role
from aggregates.tokens import token_id
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.fixtures import WEIGHT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
FORM = {"kind": "tool_or_template", "title": "Kg-only weight policy", "tags": "weight in kg, policy",
        "care_settings": ["community_ed"]}  # fmt: skip


def upload(api: Api, collaborative: str, content: bytes, name: str = "policy.pdf", **fields: Any) -> Any:
    return api.client.post(
        f"/collaboratives/{collaborative}/resources/files",
        data=FORM | fields,
        files={"file": (name, content, "application/octet-stream")},
        headers=api.headers(),
    )


@dataclass
class Learning:
    """A collaborative with a change package whose first idea Mercy ED adopted in 2025-03."""

    flow: HttpFlow
    nodes: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"/collaboratives/{self.flow.collaborative}/driver-diagram"

    def add(self, path: str, body: dict[str, Any], kind: str) -> str:
        return str(self.flow.ok(f"{self.base}/{path}", body)["created"][kind][0])

    def build_package(self) -> None:
        self.nodes["primary"] = self.add(
            "drivers", {"level": "primary", "name": "Reliable weights"}, "Driver"
        )
        secondary = {"level": "secondary", "primary_driver_id": self.nodes["primary"]}
        self.nodes["scales"] = self.add("drivers", secondary | {"name": "Scales"}, "Driver")
        self.nodes["records"] = self.add("drivers", secondary | {"name": "Records"}, "Driver")
        for key, name, under in (
            ("lock", "Lock scales to kg", "scales"),
            ("card", "Kg box on triage card", "records"),
        ):
            self.nodes[key] = self.add(
                "change-ideas", {"name": name, "secondary_driver_id": self.nodes[under]}, "ChangeIdea"
            )

    def adopt(self, team: str, idea: str) -> str:
        plan = {"title": f"Test {idea}", "change_idea": idea, "change_idea_id": self.nodes[idea], "objective": "o",
                "prediction": "p", "plan": "pl", "measure_keys": ["weight-kg"]}  # fmt: skip
        cycle = str(self.flow.ok(f"/teams/{team}/pdsa", {"plan": plan})["created"]["PdsaCycle"][0])
        self.flow.ok(f"/teams/{team}/pdsa/{cycle}/do", {"do": {"observations": "done"}})
        self.flow.ok(
            f"/teams/{team}/pdsa/{cycle}/study", {"study": {"results": "r", "prediction_confirmed": True}}
        )
        self.flow.ok(f"/teams/{team}/pdsa/{cycle}/act", {"act": {"decision": "adopt"}})
        return cycle

    def data(self, team: str, months: dict[str, int]) -> None:
        for period, numerator in months.items():
            body = {"period": period, "numerator": numerator, "denominator": 20}
            self.flow.ok(f"/teams/{team}/measures/weight-kg/data", body)


@pytest.fixture
def world(staff: Api, clock: Clock) -> Learning:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    world = Learning(flow)
    world.build_package()
    mercy = flow.teams[0]
    world.data(mercy, {"2025-01": 10, "2025-02": 12})
    world.adopt(mercy, "lock")  # acted in 2025-03
    clock.advance(days=120)
    world.data(mercy, {"2025-03": 15, "2025-04": 18, "2025-05": 19})
    return world


def test_an_upload_is_stored_by_its_sha256_and_downloads_byte_for_byte(world: Learning, staff: Api) -> None:
    response = upload(staff, world.flow.collaborative, PDF)
    assert response.status_code == 201, response.text
    resource = response.json()["created"]["Resource"][0]
    public = staff.get(f"/resources/{resource}").json()
    assert public["file"] == {"sha256": hashlib.sha256(PDF).hexdigest(), "size": len(PDF),
                              "media_type": "application/pdf", "filename": "policy.pdf"}  # fmt: skip
    assert (
        public["tags"] == ["weight in kg", "policy"]
        and public["shared_by"] == f"token:{token_id(str(staff.token))}"
    )
    download = staff.get(f"/resources/{resource}/file")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert 'filename="policy.pdf"' in download.headers["content-disposition"]


def test_a_file_altered_on_disk_is_refused_not_served(
    world: Learning, staff: Api, app_engine: QIEngine
) -> None:
    resource = upload(staff, world.flow.collaborative, PDF).json()["created"]["Resource"][0]
    sha256 = hashlib.sha256(PDF).hexdigest()
    stored = app_engine.settings.files_folder / sha256[:2] / sha256
    stored.chmod(0o644)
    stored.write_bytes(PDF.replace(b"1.4", b"9.9"))
    response = staff.get(f"/resources/{resource}/file")
    assert response.status_code == 409 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["rule"] == "stored_file_altered"
    assert "no longer matches its recorded SHA-256" in response.json()["detail"]
    assert b"9.9" not in response.content


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.pdf", "the file is empty"),
        (b"MZ\x90\x00 a program", "policy.pdf", "not a PDF, an Office document"),
        (b"<html><script>alert(1)</script></html>", "slides.pptx", "judged by content, not by the file name"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(
    world: Learning, staff: Api, app_engine: QIEngine, content: bytes, name: str, message: str
) -> None:
    before = app_engine.recorder.max_notification_id()
    response = upload(staff, world.flow.collaborative, content, name)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert message in problem["detail"] and problem["errors"][0]["loc"] == ["body", "file"]
    assert app_engine.recorder.max_notification_id() == before
    assert not [p for p in app_engine.settings.files_folder.rglob("*") if p.is_file()]


def test_an_upload_over_20_mb_is_refused_before_it_is_read(
    world: Learning, staff: Api, app_engine: QIEngine
) -> None:
    before = app_engine.recorder.max_notification_id()
    response = upload(staff, world.flow.collaborative, b"%PDF-1.4\n" + bytes(21 * 2**20))
    assert response.status_code == 413
    assert "larger than the 21 MiB limit" in response.json()["detail"]
    assert app_engine.recorder.max_notification_id() == before


def test_upload_fields_are_checked_with_their_locations(world: Learning, staff: Api) -> None:
    response = upload(staff, world.flow.collaborative, PDF, kind="poster", title="")
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["errors"]} == {("body", "kind"), ("body", "title")}
    missing = staff.client.post(
        f"/collaboratives/{world.flow.collaborative}/resources/files", data=FORM, headers=staff.headers()
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["body", "file"]


def test_the_library_is_searched_by_text_and_tag(world: Learning, staff: Api) -> None:
    cid = world.flow.collaborative
    upload(staff, cid, PNG, "triage-card.png", title="Triage card photo", tags="triage", care_settings=[])
    link = {"details": {"kind": "article", "title": "Weighing children in kilograms", "tags": ["weight in kg"],
                        "care_settings": ["ems_agency"]}, "url": "https://example.org/kg"}  # fmt: skip
    staff.ok(f"/collaboratives/{cid}/resources", link)
    titles = lambda **q: [r["title"] for r in staff.get(f"/collaboratives/{cid}/resources", **q).json()]  # noqa: E731
    assert titles() == ["Weighing children in kilograms", "Triage card photo"]
    assert titles(q="kilograms") == ["Weighing children in kilograms"]
    assert titles(q="card png") == ["Triage card photo"]  # the file name is searched too
    assert titles(tag="ems_agency") == ["Weighing children in kilograms"] and titles(tag="nothing") == []
    assert staff.post(f"/collaboratives/{cid}/resources", link | {"url": "ftp://x"}).status_code == 422


def test_the_driver_diagram_shows_each_change_ideas_figures_as_json_and_svg(
    world: Learning, staff: Api
) -> None:
    response = staff.get(world.base)
    assert response.status_code == 200 and response.headers["etag"] == f'"{response.json()["version"]}"'
    [primary] = response.json()["primary_drivers"]
    lock = primary["children"][0]["children"][0]
    assert lock["name"] == "Lock scales to kg"
    figures = lock["figures"]
    assert (figures["teams_tested"], figures["cycles"], figures["adopt"]) == (1, 1, 1)
    [result] = figures["results"]
    medians = (result["adopted_period"], result["before_median"], result["after_median"])
    assert medians == ("2025-03", 0.55, 0.925)
    svg = staff.client.get(world.base, headers=staff.headers() | {"Accept": "image/svg+xml"})
    assert svg.headers["content-type"].startswith("image/svg+xml")
    text = "".join(ET.fromstring(svg.text).itertext())
    assert "Lock scales to kg" in text and "adopt 1 · adapt 0 · abandon 0" in text and "55% → 92%" in text


def test_renames_retirements_and_moves_keep_history(world: Learning, staff: Api) -> None:
    base, nodes = world.base, world.nodes
    version = staff.get(base).json()["version"]
    staff.post(f"{base}/nodes/{nodes['card']}/rename", {"name": "Stale"}, if_match=version - 1, expect=412)
    staff.ok(
        f"{base}/nodes/{nodes['card']}/rename", {"name": "Kg box on every triage card"}, if_match=version
    )
    staff.ok(f"{base}/change-ideas/{nodes['card']}/move", {"secondary_driver_id": nodes["scales"]})
    refused = staff.post(f"{base}/nodes/{nodes['scales']}/retire", {"reason": "merged"}, expect=409)
    assert "still has live children" in refused.json()["detail"]
    staff.ok(f"{base}/nodes/{nodes['records']}/retire", {"reason": "Merged into scales"})
    staff.post(f"{base}/change-ideas", {"name": "New", "secondary_driver_id": nodes["records"]}, expect=409)
    records = staff.get(base).json()["primary_drivers"][0]["children"][1]
    assert records["retired"] and records["retired_reason"] == "Merged into scales"
    card = staff.get(base).json()["primary_drivers"][0]["children"][0]["children"][1]
    assert [h["action"] for h in card["history"]] == ["added", "renamed", "moved"]
    assert card["history"][2]["from_id"] == nodes["records"]


def test_a_pdsa_cycle_links_only_a_live_change_idea(world: Learning, staff: Api) -> None:
    team = world.flow.teams[1]
    plan = {"title": "t", "change_idea": "c", "objective": "o", "prediction": "p", "plan": "pl"}
    unknown = staff.post(f"/teams/{team}/pdsa", {"plan": plan | {"change_idea_id": world.nodes["scales"]}})
    assert unknown.status_code == 422 and "no change idea" in unknown.json()["detail"]
    staff.ok(f"{world.base}/nodes/{world.nodes['card']}/retire", {"reason": "Abandoned"})
    retired = staff.post(f"/teams/{team}/pdsa", {"plan": plan | {"change_idea_id": world.nodes["card"]}})
    assert retired.status_code == 409 and "is retired" in retired.json()["detail"]


def test_teams_comment_on_and_try_each_others_shared_projects(
    world: Learning, staff: Api, app_engine: QIEngine, client: TestClient
) -> None:
    mercy, sky = world.flow.teams
    sky_cycle = world.adopt(sky, "lock")
    world.flow.advance("projects")
    staff.ok(f"/teams/{mercy}/share", {"project": {"title": "Kg only", "summary": "Locked scales",
                                                   "measure_keys": ["weight-kg"]}})  # fmt: skip
    team_b = Api(client, issue(app_engine, Role.TEAM, "sky", team_id=sky))
    team_b.post(f"/teams/{mercy}/share/comments", {"team_id": sky, "text": "Which scales?"}, expect=201)
    team_b.post(f"/teams/{sky}/trying", {"project_team_id": mercy, "cycle_id": sky_cycle}, expect=200)
    team_b.post(f"/teams/{sky}/trying", {"project_team_id": sky, "cycle_id": sky_cycle}, expect=409)
    team_b.post(f"/teams/{mercy}/trying", {"project_team_id": mercy, "cycle_id": sky_cycle}, expect=403)
    [project] = staff.get(f"/collaboratives/{world.flow.collaborative}/shared-projects").json()
    assert project["change_ideas"] == {world.nodes["lock"]: "Lock scales to kg"}
    assert [(c["team_name"], c["text"]) for c in project["comments"]] == [("Big Sky EMS", "Which scales?")]
    assert [(t["team_name"], t["cycle_id"]) for t in project["trying"]] == [("Big Sky EMS", sky_cycle)]


def test_a_toolkit_exports_exactly_its_selection_as_html_and_pdf(world: Learning, staff: Api) -> None:
    cid = world.flow.collaborative
    chosen = upload(staff, cid, PDF, title="Kg policy template").json()["created"]["Resource"][0]
    upload(staff, cid, PNG, "x.png", title="Unchosen poster")
    for phase in ("projects", "sharing"):
        world.flow.advance(phase, "test")
    body = {"title": "Kilograms toolkit", "introduction": "What worked", "change_idea_ids": [world.nodes["lock"]],
            "resource_ids": [chosen]}  # fmt: skip
    toolkit = staff.post(f"/collaboratives/{cid}/toolkits", body, expect=201).json()["id"]
    view = staff.get(f"/toolkits/{toolkit}").json()
    assert [i["idea"]["name"] for i in view["change_ideas"]] == ["Lock scales to kg"]
    assert [r["title"] for r in view["resources"]] == ["Kg policy template"]
    html = staff.get(f"/toolkits/{toolkit}.html")
    assert html.headers["content-type"].startswith("text/html")
    pdf = staff.get(f"/toolkits/{toolkit}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for document in (html.text, text):
        assert "Lock scales to kg" in document and "Kg policy template" in document
        assert "Kg box on triage card" not in document and "Unchosen poster" not in document
    sources = view["change_ideas"][0]["idea"]["figures"]["results"][0]["sources"]
    assert ", ".join(map(str, sources)) in text.replace("\n", " ")
    outputs = staff.get(f"/collaboratives/{cid}").json()["outputs"]
    assert [(o["kind"], o["url"]) for o in outputs] == [("toolkit", f"/toolkits/{toolkit}")]


def _toolkit_documents(staff: Api, toolkit: str) -> tuple[dict[str, Any], str, str]:
    """A toolkit as JSON, as its HTML page and as the text of its PDF."""
    pdf = staff.get(f"/toolkits/{toolkit}.pdf").content
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return staff.get(f"/toolkits/{toolkit}").json(), staff.get(f"/toolkits/{toolkit}.html").text, text


def _reshape_the_package(world: Learning, staff: Api) -> None:
    """After a toolkit: rename a driver and an idea, move the idea, retire a driver and an idea, re-aim,
    and rename the adopting team's measure."""
    base, nodes = world.base, world.nodes
    measure = WEIGHT | {"name": "Kilogram-only weights"}
    staff.ok(f"/teams/{world.flow.teams[0]}/measures", {"measure": measure})
    staff.ok(f"{base}/nodes/{nodes['primary']}/rename", {"name": "Weights you can trust"})
    renamed = {"name": "Scales locked to kilograms", "description": "Firmware lock on every scale"}
    staff.ok(f"{base}/nodes/{nodes['lock']}/rename", renamed)
    staff.ok(f"{base}/change-ideas/{nodes['lock']}/move", {"secondary_driver_id": nodes["records"]})
    staff.ok(f"{base}/nodes/{nodes['scales']}/retire", {"reason": "Folded into records"})
    staff.ok(f"{base}/nodes/{nodes['card']}/retire", {"reason": "Cards went digital"})
    staff.ok(base, {"aim": "Every child weighed in kilograms by 2026"})


def test_a_toolkit_keeps_the_driver_diagram_as_it_was_when_compiled(world: Learning, staff: Api) -> None:
    cid, nodes = world.flow.collaborative, world.nodes
    for phase in ("projects", "sharing"):
        world.flow.advance(phase, "test")
    body = {"title": "Then", "change_idea_ids": [nodes["lock"], nodes["card"]]}
    first = staff.post(f"/collaboratives/{cid}/toolkits", body, expect=201).json()["id"]
    aim_then = staff.get(f"/toolkits/{first}").json()["aim"]
    _reshape_the_package(world, staff)
    view, html, pdf = _toolkit_documents(staff, first)
    lock, card = view["change_ideas"]
    assert view["aim"] == aim_then and lock["path"] == ["Reliable weights", "Scales"]
    assert (lock["idea"]["name"], lock["idea"]["description"], lock["idea"]["parent_id"]) == (
        "Lock scales to kg", None, nodes["scales"])  # fmt: skip
    assert not card["idea"]["retired"] and [h["action"] for h in card["idea"]["history"]] == ["added"]
    assert lock["idea"]["figures"]["results"][0]["measure_name"] == "Weight in kilograms"
    for document in (html, pdf.replace("\n", " ")):
        assert "Lock scales to kg" in document and "Reliable weights" in document and aim_then in document
        assert "Weights you can trust" not in document and "kilograms by 2026" not in document
        assert "Kilogram-only weights" not in document
    later = {"title": "Now", "change_idea_ids": [nodes["lock"]]}
    second = staff.post(f"/collaboratives/{cid}/toolkits", later, expect=201).json()["id"]
    view, html, pdf = _toolkit_documents(staff, second)
    [lock] = view["change_ideas"]
    assert view["aim"] == "Every child weighed in kilograms by 2026"
    assert (
        lock["path"] == ["Weights you can trust", "Records"]
        and lock["idea"]["name"] == "Scales locked to kilograms"
    )
    for document in (html, pdf.replace("\n", " ")):
        assert "Scales locked to kilograms" in document and "Firmware lock on every scale" in document
        assert "Weights you can trust" in document and "Lock scales to kg" not in document
        assert "Kilogram-only weights" in document


def test_every_shared_learning_event_has_an_audit_row(world: Learning, staff: Api) -> None:
    upload(staff, world.flow.collaborative, PDF)
    rows = staff.get("/audit", collaborative=world.flow.collaborative, limit=1000).json()
    expected = {"ResourceShared", "ChangePackageStarted", "DriverAdded", "ChangeIdeaAdded", "PdsaPlanned"}
    assert expected <= {row["action"] for row in rows}


def test_refused_library_and_diagram_writes_are_403_for_the_wrong_role(
    world: Learning, app_engine: QIEngine, client: TestClient
) -> None:
    auditor = Api(client, issue(app_engine, Role.AUDITOR, "audrey"))
    assert upload(auditor, world.flow.collaborative, PDF).status_code == 403
    assert not [p for p in app_engine.settings.files_folder.rglob("*") if p.is_file()]
    team = Api(client, issue(app_engine, Role.TEAM, "mercy", team_id=world.flow.teams[0]))
    team.post(f"{world.base}/drivers", {"level": "primary", "name": "Mine"}, expect=403)
    assert upload(team, world.flow.collaborative, PDF).status_code == 201
