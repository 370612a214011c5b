"""A team's months in a real browser, on the demo data: a file chosen with the file
field, its preview with each row's problems, storing only the rows without them, and the
data-quality finding on the month stored, confirmed with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aggregates.base import Role
from tests.browser.conftest import Site, shot

Page = Any
MEASURE = "Children weighed and recorded in kilograms only"


def sign_in(page: Page, token: str, then: str) -> None:
    page.goto(f"/ui/sign-in?next={then}")
    page.get_by_text("Sign in with an API token instead").click()
    page.get_by_label("Your access token").fill(token)
    page.get_by_role("button", name="Sign in with the token").click()
    page.wait_for_url(f"**{then}")


def test_a_team_uploads_a_file_of_months_sees_its_problems_stores_only_the_good_rows_and_confirms_a_finding(
    page: Page, site: Site, tmp_path: Path
) -> None:
    team_id = list(site.engine.collaborative(site.demo).state.teams)[
        -1
    ]  # a team no other browser test changes
    sign_in(page, site.token(Role.TEAM, "upload-team", team_id=team_id), f"/ui/teams/{team_id}")
    months = tmp_path / "months.csv"
    months.write_text(
        f"measure,month,numerator,denominator\n{MEASURE},Mar 2026,18,20\nweight-kg,2026-04,30,20\n"
    )
    page.get_by_text("Upload months from a file").click()
    page.get_by_label("File of months").set_input_files(str(months))
    page.get_by_role("button", name="Check the file").click()
    preview = page.locator("#upload-data")
    assert "1 of 2 rows has a problem" in preview.inner_text()
    assert "Row 3, numerator: Numerator 30 exceeds denominator 20" in preview.inner_text()
    assert page.locator("#data-file").is_visible()  # the refused upload stays open, to choose the file again
    shot(page, "12-data-upload-preview")
    page.get_by_role("button", name="Store only the 1 row without problems").click()
    page.wait_for_url("**stored=1*")
    assert "Stored 1 month from the file." in page.locator("#measures [role=status]").inner_text()
    assert "90%" in page.locator("#month-weight-kg-2026-03").inner_text()
    assert page.locator("#month-weight-kg-2026-04").inner_text().count("no data") == 1
    shot(page, "13-data-uploaded")
    # The stored month's denominator (20) is far from February's (1319): a finding, in its row
    # and in the Data quality section, confirmed there with a reason.
    assert "Sudden denominator change" in page.locator("#month-weight-kg-2026-03").inner_text()
    finding = page.locator("#finding-weight-kg-2026-03-denominator-jump")
    assert "The denominator went from 1319 in 2026-02 to 20" in finding.inner_text()
    finding.get_by_label("Why it is right", exact=True).fill("Only the night shift reported in March")
    finding.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**confirmed=*")
    confirmed = page.locator("#data-quality")
    assert "The finding is confirmed" in confirmed.inner_text()
    assert (
        "Only the night shift reported in March"
        in page.locator("#finding-weight-kg-2026-03-denominator-jump").inner_text()
    )
    assert "Sudden denominator change (confirmed)" in page.locator("#month-weight-kg-2026-03").inner_text()
    shot(page, "14-data-finding-confirmed")
