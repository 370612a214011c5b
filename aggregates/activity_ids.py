"""What accreditors call a CE activity: its ids in their systems, and whether it had
commercial support, each checked by its published shape.

- ACCME PARS activity id: the number PARS gives an activity when it is registered (a
  provider may report by its own activity id instead; PARS's activity templates take
  exactly one of the two). Digits.
- ACPE Universal Activity Number: provider id – joint providership – year – sequence –
  format and topic designator – pharmacist or technician, e.g. 1234-0000-21-001-L01-P
  (acpe-accredit.org, "Universal Activity Numbers"): 0000 for a sole provider, 9999 for joint
  providership; L live, H home study; P pharmacist, T technician. A jointly accredited
  provider's id is JA and seven digits (JA0006235-9999-25-076-L01-P).
- CAPCE course number: year – the organisation's CAPCE abbreviation – format code –
  sequence, e.g. 16-EMT-F3-0001 (as CAPCE-accredited providers explain it; CAPCE's own
  upload specification was not available to check against).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, StringConstraints

from aggregates.base import Value

UAN_PATTERN = r"^(?:JA\d{7}|\d{4})-(?:0000|9999)-\d{2}-\d{3}-[LH]\d{2}-[PT]$"
CAPCE_PATTERN = r"^\d{2}-[A-Z0-9]{2,10}-F\d-\d{4}$"


def _tidy(value: object) -> object:
    """As people type it: spaces around trimmed, letters in either case."""
    return value.strip().upper() if isinstance(value, str) else value


ParsActivityId = Annotated[str, BeforeValidator(_tidy), StringConstraints(pattern=r"^\d{1,12}$")]
Uan = Annotated[str, BeforeValidator(_tidy), StringConstraints(pattern=UAN_PATTERN)]
CapceCourse = Annotated[str, BeforeValidator(_tidy), StringConstraints(pattern=CAPCE_PATTERN)]


class ActivityIds(Value):
    """A CE activity's ids at the accreditors, each optional until the export that needs it."""

    pars_activity_id: ParsActivityId | None = None
    acpe_uan: Uan | None = None
    capce_course_number: CapceCourse | None = None
    commercial_support: bool = False
