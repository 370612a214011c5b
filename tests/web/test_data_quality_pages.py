"""Data quality and CSV through the pages: a saved month shows its findings at once, the
Data quality section lists the team's findings, a finding is confirmed with a reason (and
refused without one, beside the field), and the pages link the CSV downloads."""

from __future__ import annotations

import csv
import io
from uuid import UUID

from fastapi.testclient import TestClient

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.conftest import Clock
from tests.web.pages import PageClient, signed_in
from tests.web.test_data_forms import in_sessions, member_of


def _save(page: PageClient, team: str, period: str, numerator: str, denominator: str = "20") -> str:
    month = {"measure_key": "weight-kg", "period": period, "numerator": numerator, "denominator": denominator,
             "command_id": f"save-{period}-{numerator}"}  # fmt: skip
    saved = page.post(f"/ui/teams/{team}/data", data=month, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    return str(saved.headers["location"])


def test_a_saved_month_shows_its_findings_on_the_page_at_once(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    _save(page, team, "2024-12", "10")
    shown = page.get(_save(page, team, "2025-02", "9", "50")).text
    assert "Saved Feb 2025 of Weight in kilograms. Data quality: 1 finding on this month to look at" in shown
    assert "Sudden denominator change" in shown and "The denominator went from 20 in 2024-12 to 50" in shown
    assert 'id="finding-weight-kg-2025-01-missing-month"' in shown  # the gap, in the Data quality section
    clean = page.get(_save(page, team, "2025-01", "10")).text
    assert "Saved Jan 2025 of Weight in kilograms. Data quality: no finding on this month." in clean


def test_a_finding_is_confirmed_with_a_reason_and_shown_confirmed_and_refused_without_one(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    _save(page, team, "2025-01", "10")
    _save(page, team, "2025-02", "9", "50")
    finding = {
        "measure_key": "weight-kg",
        "period": "2025-02",
        "rule": "denominator-jump",
        "command_id": "c1",
    }
    refused = page.post(f"/ui/teams/{team}/data-quality/confirmations", data=finding | {"reason": ""})
    assert refused.status_code == 422
    assert "Not confirmed: Say why the value is right" in refused.text
    assert 'aria-describedby="reason-weight-kg-2025-02-denominator-jump-error"' in refused.text
    done = page.post(
        f"/ui/teams/{team}/data-quality/confirmations",
        data=finding | {"reason": "The winter surge doubled our attendances"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = page.get(done.headers["location"]).text
    section = shown[shown.index('id="data-quality"') :]
    confirmed = section[section.index("Confirmed (1)") :]
    assert (
        "Sudden denominator change" in confirmed and "The winter surge doubled our attendances" in confirmed
    )
    assert "To look at" not in section
    assert "Sudden denominator change (confirmed)" in shown  # the month's row says so too


def test_the_team_and_collaborative_pages_link_csv_downloads_that_name_teams_and_measures(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    _save(page, team, "2025-02", "9")
    team_page = page.get(f"/ui/teams/{team}").text
    assert f'href="/ui/teams/{team}/measures/weight-kg/data.csv" download' in team_page
    months = page.get(f"/ui/teams/{team}/measures/weight-kg/data.csv")
    assert months.status_code == 200 and months.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(months.text)))
    assert (row["measure"], row["month"], row["numerator"], row["denominator"]) == (
        "Weight in kilograms", "2025-02", "9", "20",
    )  # fmt: skip
    staff_page = signed_in(client, issue(app_engine, Role.STAFF, "staff pages"))
    overview = staff_page.get(f"/ui/collaboratives/{flow.collaborative}").text
    for name in ("data.csv", "assessments.csv", "data-dictionary.csv"):
        assert f'href="/ui/collaboratives/{flow.collaborative}/{name}" download' in overview
        assert staff_page.get(f"/ui/collaboratives/{flow.collaborative}/{name}").status_code == 200
    # the team's member reads their collaborative's downloads too
    assert page.get(f"/ui/collaboratives/{flow.collaborative}/data.csv").status_code == 200


def test_a_measure_defined_on_the_page_with_a_plausible_range_flags_a_month_outside_it(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    measure = {"measure_name": "Minutes to weight", "measure_kind": "process", "data_type": "continuous",
               "numerator_definition": "minutes from arrival to a weight in kg", "direction": "decrease",
               "plausible_min": "1", "plausible_max": "240", "command_id": "define-minutes"}  # fmt: skip
    defined = page.post(f"/ui/teams/{team}/measures", data=measure, follow_redirects=False)
    assert defined.status_code == 303, defined.text
    assert app_engine.team(UUID(team)).state.measures["minutes-to-weight"].definition.plausible_max == 240
    month = {"measure_key": "minutes-to-weight", "period": "2025-02", "numerator": "600", "command_id": "m1"}
    saved = page.post(f"/ui/teams/{team}/data", data=month, follow_redirects=False)
    shown = page.get(saved.headers["location"]).text
    assert "plausible from 1 up to 240" in shown
    assert (
        "Outside the plausible range" in shown
        and "The value 600 is above the plausible maximum 240." in shown
    )


def test_a_plausible_minimum_above_the_maximum_is_refused_beside_the_maximum(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    page = member_of(client, app_engine, flow)
    measure = {"measure_name": "Minutes to weight", "measure_kind": "process", "data_type": "continuous",
               "numerator_definition": "minutes", "direction": "decrease", "plausible_min": "240",
               "plausible_max": "1", "command_id": "define-backwards"}  # fmt: skip
    refused = page.post(f"/ui/teams/{flow.teams[0]}/measures", data=measure)
    assert refused.status_code == 422
    assert 'id="tm-plausible_max-error"' in refused.text
    assert "the plausible minimum 240 is above the plausible maximum 1" in refused.text
