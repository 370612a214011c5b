"""A collaborative's time zone over the API: set by staff with an IANA name, read back."""

from __future__ import annotations

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue


def test_staff_set_a_collaboratives_time_zone_and_read_it_back(staff: Api) -> None:
    collaborative = staff.ok("/collaboratives", {"title": "PRQC"})["id"]
    assert staff.get(f"/collaboratives/{collaborative}").json()["time_zone"] == "UTC"
    changed = staff.ok(f"/collaboratives/{collaborative}/time-zone", {"time_zone": "America/Chicago"})
    assert changed["events"] == ["TimeZoneChanged"]
    assert staff.get(f"/collaboratives/{collaborative}").json()["time_zone"] == "America/Chicago"


def test_a_name_that_is_no_time_zone_is_bad_input_and_nothing_is_stored(
    staff: Api, app_engine: QIEngine
) -> None:
    collaborative = staff.ok("/collaboratives", {"title": "PRQC"})["id"]
    before = app_engine.recorder.max_notification_id()
    refused = staff.post(
        f"/collaboratives/{collaborative}/time-zone", {"time_zone": "Mars/Olympus"}, expect=422
    )
    [error] = refused.json()["errors"]
    assert error["loc"][-1] == "time_zone" and "is not a time zone name" in error["msg"]
    assert app_engine.recorder.max_notification_id() == before


def test_only_staff_change_the_time_zone(staff: Api, app_engine: QIEngine) -> None:
    collaborative = staff.ok("/collaboratives", {"title": "PRQC"})["id"]
    auditor = Api(staff.client, issue(app_engine, Role.AUDITOR, "aud"))
    auditor.post(f"/collaboratives/{collaborative}/time-zone", {"time_zone": "America/Denver"}, expect=403)
