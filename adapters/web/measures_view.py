"""What the Measures section of a team's page shows: each measure's table of every month
(values, who entered them, corrections), the forms to define a measure, enter or correct
a month and upload a file of months, and, where the phase does not allow them yet, when
it will."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from adapters.data_files import MAX_ROWS
from adapters.data_upload import COLUMNS
from adapters.http.deps import get_queries
from aggregates.collaborative import Collaborative
from aggregates.phases import ALLOWED_PHASES, PHASES, Activity, Phase, is_allowed
from aggregates.team import Team
from aggregates.tokens import Principal
from aggregates.values import DataType, Direction, MeasureKind
from engine.queries.data_quality import ShownFinding
from engine.queries.team_data import Entry

DATA_TYPE_WORDS = {
    "proportion": "a proportion (numerator of denominator)", "rate": "a rate (events per exposure)",
    "count": "a count of events", "continuous": "one measured value",
}  # fmt: skip


def measures_context(
    request: Request, principal: Principal, team: Team, collaborative: Collaborative, can_write: bool
) -> dict[str, Any]:
    """The Measures section's part of the team page's context (its keys start with what they are)."""
    phase = collaborative.phase
    on_team = team.state.measures
    stored = request.query_params.get("stored", "")
    quality = get_queries(request).data_quality(principal, team.id)
    by_month: dict[tuple[str, str], list[ShownFinding]] = {}
    for shown in quality.findings:
        by_month.setdefault((shown.finding.measure_key, shown.finding.period), []).append(shown)
    saved_key, _, saved_period = request.query_params.get("saved", "").partition(":")
    saved = saved_key in on_team and (saved_key, saved_period) in {
        (saved_key, p) for p in on_team[saved_key].data
    }
    return {
        "measure_tables": get_queries(request).team_months(principal, team.id),
        "measure_writer": can_write and team.state.active,
        "define_allowed": is_allowed(Activity.DEFINE_MEASURE, phase),
        "data_allowed": is_allowed(Activity.SUBMIT_DATA, phase),
        "define_when": when_allowed(Activity.DEFINE_MEASURE, phase, "Measures are defined"),
        "data_when": when_allowed(Activity.SUBMIT_DATA, phase, "Monthly data is entered"),
        "adoptable": [m for key, m in collaborative.state.measures.items() if key not in on_team],
        "measure_kinds": list(MeasureKind), "data_types": list(DataType), "directions": list(Direction),
        "data_type_words": DATA_TYPE_WORDS, "upload_columns": COLUMNS, "upload_max_rows": MAX_ROWS,
        "data_sent": None, "data_errors": {}, "data_error": None, "upload": None,
        "stored_months": int(stored) if stored.isdigit() else None,
        "data_number": number, "data_value": value_shown,
        "quality": quality, "month_findings": by_month, "quality_sent": None, "quality_error": None,
        "saved_month": (saved_key, saved_period) if saved else None,
        "confirmed_finding": request.query_params.get("confirmed"),
    }  # fmt: skip


def when_allowed(activity: Activity, phase: Phase, what: str) -> str:
    """When the activity is possible, as a sentence for the page ("... from the sessions phase on")."""
    allowed = [p for p in PHASES if p in ALLOWED_PHASES[activity]]
    first, last = allowed[0].value.replace("_", " "), allowed[-1].value.replace("_", " ")
    now = phase.value.replace("_", " ")
    if PHASES.index(phase) > PHASES.index(allowed[-1]):
        return f"{what} up to the {last} phase; the collaborative is {now} now, so its measures and data stay as they are."
    return f"{what} from the {first} phase on; the collaborative is in its {now} phase now."


def number(value: float | None) -> str:
    """A numerator or denominator as people write it: 12, 12.5, 1250 (never 1.25e+03)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def value_shown(entry: Entry | None, data_type: DataType) -> str:
    """A month's value: a proportion as a percentage (75%, 66.7%), a rate per unit of its
    denominator, a count or a measured value as it is."""
    if entry is None:
        return ""
    if data_type is DataType.PROPORTION:
        return f"{entry.value * 100:.1f}".removesuffix(".0") + "%"
    if data_type is DataType.RATE:
        return f"{entry.value:.3g}"
    return number(entry.value)
