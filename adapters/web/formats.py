"""Dates and times as people write them, for the pages' templates: a day is
"13 Feb 2025", a month "Jan 2025", a moment "13 Feb 2025, 14:30 CST" in the zone
the page is read in (the collaborative's, UTC where there is none)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment

DEFAULT_ZONE = "UTC"


def zone_of(name: str | None) -> ZoneInfo:
    """The zone by its IANA name; UTC for none or a name this machine does not know."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def _parsed(value: date | datetime | str | None) -> date | datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def local(value: datetime | str | None, zone: str | None = None) -> datetime | None:
    """A moment in the page's zone (a naive one is taken as UTC)."""
    moment = _parsed(value)
    if not isinstance(moment, datetime):
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone_of(zone))


def day(value: date | datetime | str | None, zone: str | None = None) -> str:
    """A day as people write it: "13 Feb 2025" (a moment's day in the page's zone)."""
    parsed = _parsed(value)
    if parsed is None:
        return "" if value is None else str(value)
    if isinstance(parsed, datetime):
        parsed = local(parsed, zone) or parsed
    return f"{parsed.day} {parsed:%b %Y}"


def month(value: str | date | None) -> str:
    """A month ("2025-01", or a day in it) as people write it: "Jan 2025"."""
    if isinstance(value, date):
        return f"{value:%b %Y}"
    try:
        return datetime.strptime(value or "", "%Y-%m").strftime("%b %Y")
    except ValueError:
        return value or ""


def when(value: datetime | str | None, zone: str | None = None) -> str:
    """A moment as people write it, in the page's zone and naming it: "13 Feb 2025, 14:30 CST"."""
    moment = local(value, zone)
    if moment is None:
        return "" if value is None else str(value)
    return f"{moment.day} {moment:%b %Y, %H:%M} {moment.tzname()}"


def field_value(value: datetime | str | None, zone: str | None = None) -> str:
    """A moment as a datetime-local field shows it, in the page's zone ("2025-02-13T14:30")."""
    moment = local(value, zone)
    return f"{moment:%Y-%m-%dT%H:%M}" if moment else ""


def install_formats(env: Environment) -> None:
    env.filters |= {"day": day, "month": month, "when": when, "field_moment": field_value}
