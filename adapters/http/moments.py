"""Moments from query strings, refused by name when UTC cannot represent them.

`0001-01-01T00:00+01:00` parses, but is in year 0 once converted to UTC, and
`9999-12-31T23:59-01:00` in year 10000: Python's datetime raises OverflowError
there, which surfaced as a 500. `UtcMoment` is the type for a query parameter
(FastAPI then answers 422 naming it); `utc_moment` is the same check for code
that parses a form or query value itself (the web pages). `AsOf` and `AtVersion` are the
query parameters of the as-of reads; `as_of_or_version` picks what the engine reads at.

A query moment is ISO 8601 text with a time (`2025-03-01T09:00:00Z`; without an offset,
UTC): pydantic would also read `-169` or `1700000000` as seconds since 1970, which the
OpenAPI document (format date-time) does not promise and no client means.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?")
EXAMPLE = "2025-03-01T09:00:00+00:00"


def in_utc(moment: datetime) -> datetime:
    """`moment` in UTC (a moment without an offset is read as UTC); ValueError when out of range."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return aware.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{moment.isoformat()} is outside the years 1 to 9999 in UTC; give a moment within them"
        ) from None


def utc_moment(text: str) -> datetime:
    """An ISO-8601 text as a moment in UTC; ValueError, in words, when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 moment, e.g. 2025-03-01T09:00:00+00:00") from None
    return in_utc(moment)


def iso_date_time(value: object) -> datetime:
    """A query value as an ISO 8601 date-time; numbers and bare dates are refused by name."""
    moment = _parsed(value) if isinstance(value, str) and _DATE_TIME.fullmatch(value) else None
    if moment is None:
        raise PydanticCustomError(
            "iso_date_time", "{value} is not an ISO 8601 date-time, e.g. {example}",
            {"value": repr(value), "example": EXAMPLE},
        )  # fmt: skip
    return moment


def _parsed(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.upper().replace(",", "."))
    except ValueError:  # e.g. 2024-02-30T25:61
        return None


UtcMoment = Annotated[
    datetime,
    BeforeValidator(iso_date_time),
    AfterValidator(in_utc),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": [EXAMPLE]}),
]


AsOf = Annotated[UtcMoment | None, Query(description="ISO-8601 moment; the state as it was then")]
AtVersion = Annotated[int | None, Query(ge=1, le=10**9, description="the state at this version")]


def as_of_or_version(as_of: datetime | None, version: int | None) -> datetime | int | None:
    """The moment (read as UTC when it has no offset) if given, else the version."""
    if as_of is not None and as_of.tzinfo is None:
        return as_of.replace(tzinfo=UTC)
    return as_of or version
