"""A team's measures through its page: defining one, the table of every month with who
entered each value and the corrections' history, and months uploaded from a CSV or an
.xlsx file, previewed with each row's problems before anything is stored."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from adapters.data_upload import parse_month
from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from engine.queries.team_data import MAX_MONTHS, month_range
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import PageClient, signed_in

INVITER = Principal.of_token(uuid4(), Grant(name="Setup (staff)", role=Role.STAFF))
PASSWORD = "a long password here"
HEADER = "measure,month,numerator,denominator\n"


def person(client: TestClient, engine: QIEngine, name: str, **membership: Any) -> PageClient:
    """A person with an account of their own, signed in through the form in a browser of their own."""
    email = f"{name.lower().replace(' ', '.')}@data.example"
    accounts = engine.accounts
    account = accounts.account(accounts.invite(INVITER, email=email, name=name, **membership))
    assert account is not None
    accounts.accept(accounts.invitation_link(account) or "", PASSWORD)
    page = PageClient(TestClient(client.app))
    page.get("/ui/sign-in")
    signed = page.post("/ui/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return page


def in_sessions(staff: Api, clock: Clock) -> HttpFlow:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")  # the teams report Weight in kilograms (weight-kg)
    return flow


def member_of(client: TestClient, engine: QIEngine, flow: HttpFlow, team: int = 0) -> PageClient:
    page = signed_in(client, issue(engine, Role.TEAM, f"team {team}", team_id=flow.teams[team]))
    page.get(f"/ui/teams/{flow.teams[team]}")
    return page


def months_of(page_html: str, key: str) -> list[tuple[str, str]]:
    """(month, value) of each row of a measure's table, in order."""
    rows = re.findall(
        rf'<tr id="month-{key}-[0-9-]+">\s*<th scope="row">([^<]+)</th>\s*<td[^>]*>(.*?)</td>',
        page_html,
        re.S,
    )
    return [(month, re.sub(r"<[^>]+>", "", value).strip()) for month, value in rows]


def upload(page: PageClient, team: str, name: str, content: bytes, kind: str = "text/csv") -> Any:
    return page.post(f"/ui/teams/{team}/data/upload", files={"file": (name, content, kind)})


def confirmation(preview_html: str) -> dict[str, str]:
    """The confirm form's hidden fields, as the preview page holds them."""
    found = re.search(
        r'<form method="post" action="(/ui/teams/[^"]+/data/upload/confirm)".*?</form>', preview_html, re.S
    )
    assert found, "the preview offers no confirmation"
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', found[0]))
    return {k: html.unescape(v) for k, v in fields.items()} | {"action": found[1]}


def confirm(page: PageClient, preview_html: str) -> Any:
    fields = confirmation(preview_html)
    action = fields.pop("action")
    return page.post(action, data=fields, follow_redirects=False)


def stored_months(staff: Api, team: str, key: str = "weight-kg") -> dict[str, tuple[float, float | None]]:
    measure = next(m for m in staff.get(f"/teams/{team}").json()["measures"] if m["definition"]["key"] == key)
    return {p["period"]: (p["numerator"], p["denominator"]) for p in measure["data"]}


# -- defining a measure -----------------------------------------------------------------------
def test_a_member_defines_a_team_measure_and_sees_its_table_of_months(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    page = member_of(client, app_engine, flow)
    body = {"measure_name": "Doses on time", "measure_kind": "process", "data_type": "count",
            "numerator_definition": "antibiotic doses given within the hour", "direction": "increase",
            "command_id": "define-1"}  # fmt: skip
    defined = page.post(f"/ui/teams/{flow.teams[0]}/measures", data=body, follow_redirects=False)
    assert defined.status_code == 303 and defined.headers["location"].endswith("#measure-doses-on-time")
    team_page = page.get(defined.headers["location"]).text
    assert '<h3 id="measure-doses-on-time-h">Doses on time</h3>' in team_page
    assert "antibiotic doses given within the hour" in team_page  # the definition, read at data entry
    assert [m for m, _ in months_of(team_page, "doses-on-time")] == ["Jan 2025", "Feb 2025", "Mar 2025"]
    assert 'aria-label="Doses on time, numerator, Feb 2025"' in team_page
    assert 'aria-label="Doses on time, denominator, Feb 2025"' not in team_page  # a count has none


def test_a_refused_measure_shows_each_error_beside_its_field_and_stores_nothing(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    page = member_of(client, app_engine, flow)
    before = app_engine.recorder.max_notification_id()
    body = {"measure_name": "Door to needle", "measure_kind": "", "data_type": "proportion",
            "numerator_definition": "patients needled within 60 minutes", "direction": "increase"}  # fmt: skip
    refused = page.post(f"/ui/teams/{flow.teams[0]}/measures", data=body)
    assert refused.status_code == 422
    assert (
        'id="tm-measure_kind" name="measure_kind" aria-invalid="true" aria-describedby="tm-measure_kind-error"'
        in refused.text
    )
    assert '<p class="field-error" id="tm-measure_kind-error">choose one from the list</p>' in refused.text
    assert 'value="Door to needle"' in refused.text and '<details id="define-measure" open>' in refused.text
    assert "body.measure" not in refused.text and "Unprocessable" not in refused.text
    no_denominator = page.post(f"/ui/teams/{flow.teams[0]}/measures", data=body | {"measure_kind": "outcome"})
    assert no_denominator.status_code == 422
    assert ('<p class="field-error" id="tm-denominator_definition-error">a proportion measure needs a denominator '
            "definition</p>") in no_denominator.text  # fmt: skip
    assert app_engine.recorder.max_notification_id() == before


def test_a_team_takes_up_a_collaborative_measure_under_its_own_key(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("orientation")
    flow.advance("sessions")  # the teams have defined no measure yet
    page = member_of(client, app_engine, flow)
    team_page = page.get(f"/ui/teams/{flow.teams[0]}").text
    assert (
        "No measures defined yet" in team_page and 'aria-label="Report Weight in kilograms too"' in team_page
    )
    taken = page.post(f"/ui/teams/{flow.teams[0]}/measures", data=_take_up(team_page), follow_redirects=False)
    assert taken.status_code == 303
    (measure,) = staff.get(f"/teams/{flow.teams[0]}").json()["measures"]
    assert measure["definition"] == staff.get(f"/collaboratives/{flow.collaborative}").json()["measures"][0]


def _take_up(team_page: str) -> dict[str, str]:
    found = re.search(
        r'<form method="post" action="/ui/teams/[^"]+/measures" class="inline">.*?</form>', team_page, re.S
    )
    assert found
    return {k: html.unescape(v) for k, v in re.findall(r'name="([a-z_]+)" value="([^"]*)"', found[0])}


def test_before_the_sessions_phase_the_page_says_when_measures_can_be_defined(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("orientation")
    team_page = member_of(client, app_engine, flow).get(f"/ui/teams/{flow.teams[0]}").text
    assert (
        "Measures are defined from the sessions phase on; the collaborative is in its orientation phase now."
        in team_page
    )
    assert f'action="/ui/teams/{flow.teams[0]}/measures"' not in team_page
    assert f'action="/ui/teams/{flow.teams[0]}/data/upload"' not in team_page


# -- the table of months ----------------------------------------------------------------------
def test_the_table_has_a_row_for_every_month_the_gaps_empty_to_fill(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    for period, numerator in (("2025-01", 3), ("2025-03", 9)):
        flow.ok(
            f"/teams/{team}/measures/weight-kg/data",
            {"period": period, "numerator": numerator, "denominator": 12},
        )
    page = member_of(client, app_engine, flow)
    team_page = page.get(f"/ui/teams/{team}").text
    assert months_of(team_page, "weight-kg") == [
        ("Jan 2025", "25%"),
        ("Feb 2025", "no data"),
        ("Mar 2025", "75%"),
    ]
    assert 'aria-label="Save Feb 2025 of Weight in kilograms"' in team_page
    assert 'aria-label="Correct Mar 2025 of Weight in kilograms"' in team_page
    filled = page.post(f"/ui/teams/{team}/data", data={"measure_key": "weight-kg", "period": "2025-02",
                       "numerator": "6", "denominator": "12", "command_id": "fill-feb"}, follow_redirects=False)  # fmt: skip
    assert filled.status_code == 303 and filled.headers["location"].endswith("#month-weight-kg-2025-02")
    assert months_of(page.get(f"/ui/teams/{team}").text, "weight-kg")[1] == ("Feb 2025", "50%")


def test_a_correction_shows_the_earlier_value_with_who_entered_it_and_when(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    clock.now = datetime(2025, 3, 20, 14, 30, tzinfo=clock.now.tzinfo)
    dana = person(client, app_engine, "Dana Reyes", team_id=team, discipline="nurse")
    dana.get(f"/ui/teams/{team}")
    month = {"measure_key": "weight-kg", "period": "2025-02", "numerator": "3", "denominator": "4"}
    assert (
        dana.post(
            f"/ui/teams/{team}/data", data=month | {"command_id": "a"}, follow_redirects=False
        ).status_code
        == 303
    )
    clock.advance(days=2, hours=1)
    sam = person(client, app_engine, "Sam Staffer", access=Access(role=Role.STAFF))
    sam.get(f"/ui/teams/{team}")
    assert sam.post(f"/ui/teams/{team}/data", data=month | {"numerator": "4", "command_id": "b"},
                    follow_redirects=False).status_code == 303  # fmt: skip
    row = re.search(r'<tr id="month-weight-kg-2025-02">.*?</tr>', sam.get(f"/ui/teams/{team}").text, re.S)
    assert row
    text = " ".join(re.sub(r"<[^>]+>", " ", row[0]).split())
    assert "100% " in text and "Sam Staffer, 22 Mar 2025, 15:30 UTC" in text
    assert "Corrected 1 time; earlier: 75% (3 of 4), entered by Dana Reyes, 20 Mar 2025, 14:30 UTC" in text
    assert "account:" not in row[0]


def test_a_refused_month_keeps_its_values_and_shows_the_error_beside_its_row(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    page = member_of(client, app_engine, flow)
    before = app_engine.recorder.max_notification_id()
    refused = page.post(f"/ui/teams/{flow.teams[0]}/data", data={"measure_key": "weight-kg", "period": "2025-02",
                        "numerator": "30", "denominator": "20"})  # fmt: skip
    assert refused.status_code == 409
    row = re.search(r'<tr id="month-weight-kg-2025-02">.*?</tr>', refused.text, re.S)
    assert row and 'value="30" aria-invalid="true" aria-describedby="d-weight-kg-2025-02-error"' in row[0]
    assert (
        'id="d-weight-kg-2025-02-error" role="alert">Not saved: numerator 30 exceeds denominator 20' in row[0]
    )
    assert "“Weight in kilograms”" in row[0] and "'weight-kg'" not in refused.text
    assert refused.text.count("numerator 30 exceeds denominator 20") == 1  # shown once, beside its row
    assert app_engine.recorder.max_notification_id() == before


def test_an_auditor_reads_the_months_and_their_history_but_finds_no_form_to_change_them(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    flow.ok(f"/teams/{team}/measures/weight-kg/data", {"period": "2025-02", "numerator": 3, "denominator": 4})
    flow.ok(f"/teams/{team}/measures/weight-kg/data", {"period": "2025-02", "numerator": 4, "denominator": 5})
    auditor = person(client, app_engine, "Avery Auditor", access=Access(role=Role.AUDITOR))
    team_page = auditor.get(f"/ui/teams/{team}").text
    assert months_of(team_page, "weight-kg") == [
        ("Jan 2025", "no data"),
        ("Feb 2025", "80%"),
        ("Mar 2025", "no data"),
    ]
    assert (
        "<li>75% (3 of 4), entered by ann-staff, 17 Mar 2025, 09:00 UTC</li>" in team_page
    )  # the token's name
    assert (
        f'action="/ui/teams/{team}/data' not in team_page
        and f'action="/ui/teams/{team}/measures"' not in team_page
    )
    assert "<input" not in team_page.split('id="measures"')[1].split('id="pdsa"')[0]


# -- uploads --------------------------------------------------------------------------------
def test_a_csv_with_problems_is_previewed_row_by_row_and_nothing_is_stored(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    page = member_of(client, app_engine, flow)
    before = app_engine.recorder.max_notification_id()
    content = (HEADER + "Weight in kilograms,Jan 2025,10,20\n" + "weight-kg,Febuary 2025,5,10\n"
               + "Wieght,2025-02,5,10\n" + "weight-kg,2025-03,many,10\n" + "weight-kg,2025-12,1,2\n"
               + "weight-kg,Feb 2025,30,20\n" + "weight-kg,2025-01,4,20\n")  # fmt: skip
    preview = upload(page, flow.teams[0], "months.csv", content.encode())
    assert preview.status_code == 422
    text = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", preview.text).split()))
    assert "6 of 7 rows have problems" in text and "store only the 1 row without problems" in text
    assert "Row 3, month: “Febuary 2025” is not a month: write it as 2025-01 or Jan 2025." in text
    assert "Row 4, measure: “Wieght” is not one of this team's measures (Weight in kilograms)." in text
    assert "Row 5, numerator: “many” is not a number: write it with digits, like 12 or 12.5." in text
    assert "Row 6, month: Dec 2025 is still to come: enter a month once it has begun." in text
    assert (
        "Row 7, numerator: Numerator 30 exceeds denominator 20 for proportion measure “Weight in kilograms”."
        in text
    )
    assert "Row 8, month: Row 2 has this month of Weight in kilograms too: keep one of them." in text
    assert (
        "What months.csv holds: nothing is stored yet" in text
        and '<details id="upload-data" open>' in preview.text
    )
    assert app_engine.recorder.max_notification_id() == before


def test_an_all_valid_csv_is_stored_when_the_person_confirms_it(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    before = app_engine.recorder.max_notification_id()
    content = HEADER + "weight-kg,2025-01,10,20\n" + "Weight in Kilograms,Feb 2025,15,20\n,,,\n"
    preview = upload(page, team, "months.csv", content.encode())
    assert preview.status_code == 200 and "Every row can be stored: 2 months to store." in preview.text
    assert "Store the 2 months" in preview.text and app_engine.recorder.max_notification_id() == before
    stored = confirm(page, preview.text)
    assert stored.status_code == 303 and stored.headers["location"].endswith("?stored=2#measures")
    assert stored_months(staff, team) == {"2025-01": (10, 20), "2025-02": (15, 20)}
    assert "Stored 2 months from the file." in page.get(stored.headers["location"]).text


def test_the_person_may_store_only_the_valid_rows_of_a_file_with_problems(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    content = HEADER + "weight-kg,2025-01,10,20\n" + "weight-kg,2025-02,25,20\n" + "weight-kg,2025-03,12,20\n"
    preview = upload(page, team, "months.csv", content.encode())
    assert preview.status_code == 422 and "Store only the 2 rows without problems" in preview.text
    assert confirm(page, preview.text).status_code == 303
    assert stored_months(staff, team) == {"2025-01": (10, 20), "2025-03": (12, 20)}


def test_an_xlsx_spreadsheet_is_read_like_a_csv(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Measure", "Month", "Numerator", "Denominator", "Notes"])
    sheet.append(["Weight in kilograms", datetime(2025, 1, 1), 8, 10, "scale fixed"])
    sheet.append(["weight-kg", "Feb 2025", 9.0, 10, None])
    saved = io.BytesIO()
    book.save(saved)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    preview = upload(page, team, "months.xlsx", saved.getvalue(), kind)
    assert preview.status_code == 200, preview.text
    assert "Columns left out: Notes." in preview.text and "Store the 2 months" in preview.text
    assert confirm(page, preview.text).status_code == 303
    assert stored_months(staff, team) == {"2025-01": (8, 10), "2025-02": (9, 10)}


def test_a_file_that_is_not_months_is_refused_beside_the_file_field(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    page = member_of(client, app_engine, flow)
    before = app_engine.recorder.max_notification_id()
    no_columns = upload(page, flow.teams[0], "months.csv", b"when,how many\n2025-01,4\n")
    assert no_columns.status_code == 422
    assert 'aria-invalid="true" aria-describedby="data-file-error"' in no_columns.text
    assert "it has no month or numerator column (it names: when, how many)" in html.unescape(no_columns.text)
    broken = upload(
        page, flow.teams[0], "months.xlsx", b"PK\x03\x04 not really a spreadsheet", "application/zip"
    )
    assert broken.status_code == 422 and "could not be read as an .xlsx spreadsheet" in broken.text
    assert app_engine.recorder.max_notification_id() == before


def test_a_double_confirmation_stores_the_months_once(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    preview = upload(
        page, team, "months.csv", (HEADER + "weight-kg,2025-01,10,20\nweight-kg,2025-02,11,20\n").encode()
    )
    assert confirm(page, preview.text).status_code == 303
    after_first = app_engine.recorder.max_notification_id()
    again = confirm(page, preview.text)
    assert again.status_code == 303 and again.headers["location"].endswith("?stored=0#measures")
    assert app_engine.recorder.max_notification_id() == after_first
    assert "Nothing new was stored" in page.get(again.headers["location"]).text


def test_a_confirmation_is_checked_again_and_a_refused_row_stores_nothing(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    team = flow.teams[0]
    page = member_of(client, app_engine, flow)
    before = app_engine.recorder.max_notification_id()
    rows = ('[{"line": 2, "measure_key": "weight-kg", "period": "2025-01", "numerator": 1, "denominator": 2},'
            ' {"line": 3, "measure_key": "weight-kg", "period": "2025-02", "numerator": 3, "denominator": 2}]')  # fmt: skip
    refused = page.post(f"/ui/teams/{team}/data/upload/confirm", data={"rows": rows, "command_id": "x"})
    assert (
        refused.status_code == 422
        and "Row 3, numerator: Numerator 3 exceeds denominator 2" in html.unescape(refused.text)
    )
    garbled = page.post(f"/ui/teams/{team}/data/upload/confirm", data={"rows": "[{", "command_id": "y"})
    assert (
        garbled.status_code == 422
        and "lost the file's rows: choose the file and check it again" in html.unescape(garbled.text)
    )
    assert app_engine.recorder.max_notification_id() == before


def test_a_member_of_another_team_may_not_upload_or_confirm_its_months(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = in_sessions(staff, clock)
    other = member_of(client, app_engine, flow, team=1)
    before = app_engine.recorder.max_notification_id()
    preview = upload(other, flow.teams[0], "months.csv", (HEADER + "weight-kg,2025-01,10,20\n").encode())
    assert preview.status_code == 403 and "Mercy ED" not in preview.text
    rows = '[{"line": 2, "measure_key": "weight-kg", "period": "2025-01", "numerator": 1, "denominator": 2}]'
    confirmed = other.post(
        f"/ui/teams/{flow.teams[0]}/data/upload/confirm", data={"rows": rows, "command_id": "z"}
    )
    assert confirmed.status_code == 403
    assert app_engine.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("written", "month"),
    [("2025-01", "2025-01"), ("2025-1", "2025-01"), ("2025/03", "2025-03"), ("03/2025", "2025-03"),
     ("Jan 2025", "2025-01"), ("january 2025", "2025-01"), ("Sept 2025", "2025-09"), ("Jan-25", "2025-01"),
     ("2025-01-01", "2025-01"), ("2025-01-01 00:00:00", "2025-01"), ("Feb", None), ("2025-13", None),
     ("13/2025", None), ("Foo 2025", None), ("", None)],
)  # fmt: skip
def test_months_are_read_as_people_write_them(written: str, month: str | None) -> None:
    assert parse_month(written) == month


def _collaborative(starts_on: date | None, ends_on: date | None) -> Any:
    return SimpleNamespace(state=SimpleNamespace(starts_on=starts_on, ends_on=ends_on))


def test_the_months_run_from_the_start_or_the_first_data_through_this_month() -> None:
    running = _collaborative(date(2025, 1, 6), date(2025, 12, 19))
    assert month_range(running, [], date(2025, 3, 9)) == ["2025-01", "2025-02", "2025-03"]
    baseline = month_range(running, ["2024-11", "2025-02"], date(2025, 3, 9))
    assert baseline == ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    assert month_range(_collaborative(None, None), [], date(2025, 3, 9)) == ["2025-03"]


def test_after_the_collaborative_ends_the_months_stop_at_the_next_one_to_fill() -> None:
    ended = _collaborative(date(2025, 1, 6), date(2025, 12, 19))
    months = month_range(ended, ["2025-01", "2026-02"], date(2026, 12, 1))
    assert months[0] == "2025-01" and months[-1] == "2026-03" and len(months) == 15
    assert month_range(ended, [], date(2026, 12, 1))[-1] == "2025-12"


def test_a_start_long_ago_draws_at_most_ten_years_of_empty_months_but_every_month_with_data() -> None:
    old = _collaborative(date(1990, 1, 1), None)
    months = month_range(old, ["1990-05"], date(2025, 3, 9))
    assert months[0] == "1990-05" and months[1] == "2015-04" and months[-1] == "2025-03"
    assert len(months) == MAX_MONTHS + 1
