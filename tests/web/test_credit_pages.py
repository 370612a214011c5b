"""CE credit through the pages: a nurse who earned credit by passing a module downloads her
certificate from My credit (to date, for a period, for the one activity), and a date that
is no date or a period that ends before it begins is refused beside its field; staff check
the collaborative's credit before reporting (she lacks her first and last name for the
nursing record) and download every learner's certificate in one ZIP, the same bytes for the
same moment; she may neither run the check nor download everyone's certificates."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from engine.application import QIEngine
from tests.api.conftest import Api
from tests.conftest import Clock
from tests.credits.test_certificates import text_of
from tests.web.pages import PageClient
from tests.web.test_team_forms import Scene, main
from tests.web.test_training_pages import _nurse, _publish


@pytest.fixture
def scene(client: TestClient, app_engine: QIEngine, staff: Api, clock: Clock) -> Scene:
    return Scene(client, app_engine, staff, clock, "orientation")


def _credited(scene: Scene) -> tuple[PageClient, str]:
    """The nurse, signed in, with the module's CE credit (1 h CNE): her page client and the module."""
    module = _publish(scene).headers["location"].rsplit("/", 1)[-1]
    page, _ = _nurse(scene)
    page.get(f"/ui/training-modules/{module}")  # its form's CSRF token
    passed = page.post(
        f"/ui/training-modules/{module}/attempts", {"q1": "1", "q2": "1"}, follow_redirects=False
    )
    assert passed.status_code == 303
    return page, module


def test_a_nurse_downloads_her_certificate_to_date_for_a_period_and_for_the_activity(scene: Scene) -> None:
    page, module = _credited(scene)
    html = main(page.get("/ui/my-credit").text)
    assert "Download my certificate of all my credit to date (PDF)" in html
    assert f'href="/ui/my-credit/certificate.pdf?activity={module}"' in html
    whole = page.get("/ui/my-credit/certificate.pdf")
    assert whole.status_code == 200 and whole.headers["content-type"] == "application/pdf"
    text = text_of(whole.content)
    assert "Nia Nurse" in text and "PDSA basics (enduring material): 1 nursing contact hour(s)" in text
    assert "to date" in text and "Total: 1 nursing contact hour(s)" in text
    one = text_of(page.get(f"/ui/my-credit/certificate.pdf?activity={module}").content)
    assert "in the activity below" in one and "PDSA basics" in one
    before = text_of(page.get("/ui/my-credit/certificate.pdf?since=2000-01-01&until=2000-12-31").content)
    assert "from 1 January 2000 to 31 December 2000" in before and "No credit in this period." in before


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("since=31/12/2025", "since", "From: “31/12/2025” is not a date; give it as year-month-day"),
        ("since=2025-03-01&until=2025-02-01", "until", "To is before From"),
    ],
)
def test_a_certificate_period_that_cannot_be_is_refused_beside_its_field(
    scene: Scene, query: str, field: str, says: str
) -> None:
    page, _ = _credited(scene)
    refused = page.get(f"/ui/my-credit/certificate.pdf?{query}")
    assert refused.status_code == 422 and "text/html" in refused.headers["content-type"]
    assert (
        f'id="{field}-error">' in refused.text and says in refused.text.split(f'id="{field}-error">')[1][:200]
    )


def test_staff_check_the_credit_and_download_every_certificate_the_same_bytes_for_the_same_moment(
    scene: Scene,
) -> None:
    page, _ = _credited(scene)
    staff = scene.staff()
    collaborative = scene.flow.collaborative
    check = main(staff.get(f"/ui/collaboratives/{collaborative}/credit-check").text)
    assert "Learners to complete (1)" in check and "Nia Nurse" in check
    assert "ANCC contact hours" in check and "no first name; no last name" in check
    before = main(staff.get(f"/ui/collaboratives/{collaborative}/credit-check?as_of=2000-01-01").text)
    assert "No credit was awarded" in before and "Nia Nurse" not in before
    refused = staff.get(f"/ui/collaboratives/{collaborative}/credit-check?as_of=yesterday")
    assert refused.status_code == 422 and 'id="as_of-error">As of: “yesterday” is not a date' in refused.text

    bundle = staff.get(f"/ui/collaboratives/{collaborative}/certificates.zip")
    assert bundle.status_code == 200 and bundle.headers["content-type"] == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(bundle.content))
    [name] = files.namelist()
    assert name.startswith("Nia-Nurse-") and "Nia Nurse" in text_of(files.read(name))
    assert staff.get(f"/ui/collaboratives/{collaborative}/certificates.zip").content == bundle.content
    empty = staff.get(f"/ui/collaboratives/{collaborative}/certificates.zip?until=2000-01-01")
    assert zipfile.ZipFile(io.BytesIO(empty.content)).namelist() == []
    wrong = staff.get(f"/ui/collaboratives/{collaborative}/certificates.zip?since=soon")
    assert wrong.status_code == 422 and 'id="since-error">From: “soon” is not a date' in wrong.text

    assert page.get(f"/ui/collaboratives/{collaborative}/credit-check").status_code == 403
    assert page.get(f"/ui/collaboratives/{collaborative}/certificates.zip").status_code == 403


def _capce_webinar(scene: Scene) -> str:
    """A webinar offering CAPCE hours, attended by Big Sky EMS's paramedic lead: its id."""
    details = {"kind": "learning_session", "title": "Airway webinar", "duration_minutes": 60,
               "starts_at": (scene.clock.now + timedelta(hours=1)).isoformat(),
               "ce": {"credit_types": ["capce"], "max_hours": 1, "accrediting_body": "CAPCE"}}  # fmt: skip
    webinar = scene.flow.ok(f"/collaboratives/{scene.flow.collaborative}/activities", {"details": details})[
        "id"
    ]
    scene.clock.advance(hours=3)
    scene.flow.ok(f"/activities/{webinar}/attendance", {"participant_id": scene.flow.members[scene.other],
                                                        "minutes": 60})  # fmt: skip
    return str(webinar)


def test_staff_record_an_activity_s_course_number_from_the_check_and_a_wrong_one_is_refused_beside_it(
    scene: Scene,
) -> None:
    webinar = _capce_webinar(scene)
    staff = scene.staff()
    check_path = f"/ui/collaboratives/{scene.flow.collaborative}/credit-check"
    html = main(staff.get(check_path).text)
    assert "Airway webinar" in html and "because the activity has no CAPCE course number" in html
    assert "For closing each activity in PARS" in html and "paramedic 1" in html
    before = scene.stored()
    refused = staff.post(f"/ui/activities/{webinar}/accreditor-ids", {"capce_course_number": "course 12!"})
    field = f"ids-{webinar}-capce_course_number"
    assert refused.status_code == 422 and f'id="{field}-error">' in refused.text
    assert 'value="course 12!"' in refused.text  # what was sent, shown again to mend
    assert scene.stored() == before
    done = staff.post(f"/ui/activities/{webinar}/accreditor-ids", {"capce_course_number": "26-QI-F1-0001"},
                      follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and f"recorded={webinar}" in done.headers["location"]
    after = main(staff.get(check_path).text)
    assert "Activities to complete" not in after and "no CAPCE course number" not in after


def test_a_person_records_her_ids_for_the_accreditors_and_a_mistyped_one_is_refused_beside_it(
    scene: Scene,
) -> None:
    page, _ = _credited(scene)
    page.get("/ui/my-credit")
    before = scene.stored()
    wrong = {"first_name": "Nia", "last_name": "Nurse", "birth_month": "4", "birth_day": "31",
             "npi": "1234567890", "licence_state_0": "Montana", "licence_number_0": "RN-1"}  # fmt: skip
    refused = page.post("/ui/my-credit/ids", wrong)
    assert refused.status_code == 422, refused.text[:300]
    for field, says in (("birth_day", "no day 31"), ("npi", "last digit"), ("licence_state_0", "state")):
        assert f'id="{field}-error">' in refused.text, field
        assert says in refused.text.split(f'id="{field}-error">')[1][:200], field
    assert 'value="Montana"' in refused.text and scene.stored() == before
    right = wrong | {"birth_day": "30", "npi": "1234567893", "licence_state_0": "mt"}
    done = page.post("/ui/my-credit/ids", right, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("#ids")
    html = page.get("/ui/my-credit").text
    assert 'value="1234567893"' in html and 'value="MT"' in html and "Your ids are recorded" not in html
    check = main(scene.staff().get(f"/ui/collaboratives/{scene.flow.collaborative}/credit-check").text)
    assert "Nia Nurse" not in check  # her names are in: the nursing record needs no more


def test_staff_download_the_accreditors_files_from_the_check_told_first_who_is_left_out(scene: Scene) -> None:
    page, _ = _credited(scene)
    staff = scene.staff()
    base = f"/ui/collaboratives/{scene.flow.collaborative}"
    check = main(staff.get(f"{base}/credit-check").text)
    assert "Files for the accreditors" in check
    assert (
        "Nursing contact-hour record (ANCC), kept for the retention period (CSV)</a>: without 1 learner"
        in check
    )
    refused = staff.get(f"{base}/accreditor-files/nursing")
    assert refused.status_code == 409 and "text/html" in refused.headers["content-type"]
    said = main(refused.text)
    assert "Not everyone can go into the Nursing contact-hour record" in said
    assert (
        "Nia Nurse: no first name; no last name" in said
        and "download the file without them (0 completions)" in said
    )
    without = staff.get(f"{base}/accreditor-files/nursing?leave_out=yes")
    assert without.status_code == 200 and without.headers["content-type"].startswith("text/csv")
    assert without.text.splitlines() == [without.text.splitlines()[0]]  # the header only: she is left out
    assert 'filename="nursing-' in without.headers["content-disposition"]
    assert page.get(f"{base}/accreditor-files/nursing?leave_out=yes").status_code == 403

    page.get("/ui/my-credit")
    assert (
        page.post(
            "/ui/my-credit/ids", {"first_name": "Nia", "last_name": "Nurse"}, follow_redirects=False
        ).status_code
        == 303
    )
    check = main(staff.get(f"{base}/credit-check").text)
    assert "(CSV)</a>: every completion" in check
    complete = staff.get(f"{base}/accreditor-files/nursing")
    assert complete.status_code == 200 and "Nurse,Nia,PDSA basics (enduring material)," in complete.text
    assert staff.get(f"{base}/accreditor-files/nursing").content == complete.content
    wrong = staff.get(f"{base}/accreditor-files/nursing?as_of=someday")
    assert wrong.status_code == 422 and 'id="as_of-error">As of: “someday” is not a date' in wrong.text


def test_the_capce_file_from_the_pages_says_what_the_installation_lacks(scene: Scene) -> None:
    _capce_webinar(scene)
    staff = scene.staff()
    base = f"/ui/collaboratives/{scene.flow.collaborative}"
    offered = main(staff.get(f"{base}/credit-check").text)
    assert (
        "CAPCE course completions, EMS (XML): not made here yet" in offered
        and "QI_CAPCE_PROVIDER_ID" in offered
    )
    assert f"{base}/accreditor-files/capce" not in offered  # no link to a file that cannot be made
    missing = staff.get(f"{base}/accreditor-files/capce?leave_out=yes")
    assert missing.status_code == 503
    assert "The CAPCE course completions, EMS (XML) cannot be made here yet" in missing.text
    assert "QI_CAPCE_PROVIDER_ID" in missing.text


def test_the_cpe_monitor_file_is_offered_with_the_completions_past_acpes_60_days(scene: Scene) -> None:
    member = {"person": {"name": "Pia Moss", "learner": {"first_name": "Pia", "last_name": "Moss",
                                                         "nabp_eprofile_id": "1234567",
                                                         "birth_day": {"month": 11, "day": 5}}},
              "discipline": "pharmacist"}  # fmt: skip
    pia = scene.flow.ok(f"/teams/{scene.team}/members", {"member": member})["created"]["Participant"][0]
    details = {"kind": "learning_session", "title": "Dosing webinar", "duration_minutes": 60,
               "starts_at": (scene.clock.now + timedelta(hours=1)).isoformat(),
               "ce": {"credit_types": ["acpe"], "max_hours": 1, "accrediting_body": "ACPE",
                      "accreditor": {"acpe_uan": "1234-0000-25-001-L04-P"}}}  # fmt: skip
    webinar = scene.flow.ok(f"/collaboratives/{scene.flow.collaborative}/activities", {"details": details})[
        "id"
    ]
    scene.clock.advance(hours=3)
    scene.flow.ok(f"/activities/{webinar}/attendance", {"participant_id": pia, "minutes": 60})
    staff = scene.staff()
    check_path = f"/ui/collaboratives/{scene.flow.collaborative}/credit-check"
    fresh = main(staff.get(check_path).text)
    assert "CPE Monitor submissions, pharmacists (CSV)</a>: every completion" in fresh
    assert "past CPE Monitor's 60 days" not in fresh
    scene.clock.advance(days=61)
    late = main(scene.staff().get(check_path).text)  # signed in again: a page session lasts hours
    assert "1 completion past CPE Monitor's 60 days</strong> (listed below)" in late
    assert "Past CPE Monitor's 60 days (1)" in late and "Pia Moss: Dosing webinar" in late
