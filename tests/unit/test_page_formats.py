"""Dates and times on the pages read as people write them, in the page's zone."""

from datetime import UTC, date, datetime

from adapters.web.formats import day, field_value, month, when


def test_a_day_reads_as_day_month_name_and_year() -> None:
    assert day(date(2025, 2, 13)) == "13 Feb 2025"
    assert day("2025-02-03") == "3 Feb 2025"


def test_a_moments_day_is_the_day_in_the_pages_zone() -> None:
    late = datetime(2025, 2, 14, 3, 0, tzinfo=UTC)
    assert day(late) == "14 Feb 2025"
    assert day(late, "America/Chicago") == "13 Feb 2025"


def test_a_month_reads_as_its_short_name_and_year() -> None:
    assert month("2025-01") == "Jan 2025"
    assert month("not a month") == "not a month"


def test_a_moment_is_shown_in_the_zone_and_names_it() -> None:
    moment = datetime(2025, 2, 13, 20, 30, tzinfo=UTC)
    assert when(moment, "America/Chicago") == "13 Feb 2025, 14:30 CST"
    assert when("2025-07-01T12:00:00Z", "America/Denver") == "1 Jul 2025, 06:00 MDT"
    assert when(moment) == "13 Feb 2025, 20:30 UTC"


def test_an_unknown_zone_falls_back_to_utc_rather_than_breaking_the_page() -> None:
    assert when(datetime(2025, 2, 13, 20, 30, tzinfo=UTC), "Mars/Olympus") == "13 Feb 2025, 20:30 UTC"


def test_a_moment_fills_a_datetime_local_field_in_the_zone() -> None:
    assert field_value("2025-02-13T20:30:00+00:00", "America/Chicago") == "2025-02-13T14:30"
