"""Hostile uploads posted through the real upload route: the decompression bomb of the
issue, a Word file smuggling a VBA project, and too many entries are refused with 422
problem+json in the uploader's words, within a few megabytes of memory, storing nothing."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from httpx import Response

from engine.application import QIEngine
from scripts.drills import bombs
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock

MB = 2**20
FORM = {"kind": "tool_or_template", "title": "Kg-only weight policy"}


@pytest.fixture
def collaborative(staff: Api, clock: Clock) -> str:
    flow = HttpFlow(staff, clock)
    flow.up_to("orientation")
    return flow.collaborative


def post(staff: Api, collaborative: str, content: bytes, name: str) -> tuple[Response, int]:
    """The route's answer, and the most memory the request allocated at once."""
    tracemalloc.start()
    try:
        response = staff.client.post(
            f"/collaboratives/{collaborative}/resources/files",
            data=FORM,
            files={"file": (name, content, "application/octet-stream")},
            headers=staff.headers(),
        )
        return response, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refused(response: Response, engine: QIEngine, before: int) -> dict[str, Any]:
    """The problem of a 422 that wrote no event and left no file behind."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert engine.recorder.max_notification_id() == before
    assert not [p for p in engine.settings.files_folder.rglob("*") if p.is_file()]
    problem: dict[str, Any] = response.json()
    assert problem["errors"][0]["loc"] == ["body", "file"]
    return problem


def test_the_issues_decompression_bomb_is_refused_with_422_without_inflating_it(
    staff: Api, collaborative: str, app_engine: QIEngine
) -> None:
    bomb = bombs.lying_bomb(200, claimed=1000)  # [Content_Types].xml: claims 1,000 bytes, is 200 MB
    before = app_engine.recorder.max_notification_id()
    response, peak = post(staff, collaborative, bomb, "policy.docx")
    assert peak < 16 * MB, f"the request allocated {peak / MB:.0f} MB at once for a 200 MB bomb"
    problem = refused(response, app_engine, before)
    assert (
        "its part '[Content_Types].xml' does not match the size and checksum it declares"
        in (problem["detail"])
    )


def test_a_docx_carrying_a_vba_project_under_a_plain_word_type_is_refused_as_macros(
    staff: Api, collaborative: str, app_engine: QIEngine
) -> None:
    before = app_engine.recorder.max_notification_id()
    response, _ = post(staff, collaborative, bombs.with_vba_part("docx"), "policy.docx")
    problem = refused(response, app_engine, before)
    assert problem["detail"].startswith(
        "upload refused: this Word file contains macros, which the library does not accept"
    )


def test_an_archive_of_twenty_thousand_entries_is_refused_by_its_count(
    staff: Api, collaborative: str, app_engine: QIEngine
) -> None:
    before = app_engine.recorder.max_notification_id()
    response, _ = post(staff, collaborative, bombs.many_entries(20_000), "slides.pptx")
    problem = refused(response, app_engine, before)
    assert "this archive holds more than 10,000 entries" in problem["detail"]


def test_a_genuine_small_docx_is_still_accepted_and_stored(
    staff: Api, collaborative: str, app_engine: QIEngine
) -> None:
    response, _ = post(staff, collaborative, bombs.office_file("docx"), "toolkit.docx")
    assert response.status_code == 201, response.text
    resource = response.json()["created"]["Resource"][0]
    stored = staff.get(f"/resources/{resource}").json()["file"]
    assert stored["media_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
