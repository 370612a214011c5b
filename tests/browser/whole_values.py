"""The one collaborative the whole-collaborative test runs twice, through the pages and over
the API: every value either run types or sends, so the two runs cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from aggregates.instruments import GAP_ANALYSIS

TITLE = "Kilograms Collaborative 2026"
FOCUS = {
    "focus_area": "Pediatric readiness in emergency care",
    "aim": "By November 2026, weigh 90% of children in kilograms only",
    "starts_on": "2026-01-05",
    "ends_on": "2026-12-18",
}
ZONE = "America/Chicago"
MIN_TEAMS = 2
MEASURE = {
    "name": "Children weighed in kilograms",
    "kind": "process",
    "data_type": "proportion",
    "numerator": "Children weighed and recorded in kilograms only",
    "denominator": "Children seen in the emergency department",
    "direction": "increase",
    "target": "90",  # as typed: a percentage
}
MEASURE_KEY = "children-weighed-in-kilograms"  # the page's key from the name


@dataclass(frozen=True)
class Person:
    name: str
    discipline: str
    credentials: str = ""
    email: str = ""
    role: str = "member"


@dataclass(frozen=True)
class Team:
    name: str
    organization: str
    care_setting: str
    lead: Person
    answers: tuple[str, ...]  # the gap analysis's answer to each question, in order
    months: tuple[tuple[str, int, int], ...]  # (month as the file writes it, numerator, denominator)
    decision: str  # the PDSA cycle's act


def _year(numerators: tuple[int, ...], denominator: int) -> tuple[tuple[str, int, int], ...]:
    months = ["Dec 2025"] + [
        f"{m} 2026" for m in ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    ]
    return tuple((month, n, denominator) for month, n in zip(months, numerators, strict=True))


def _answers(pattern: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(pattern[i % len(pattern)] for i in range(len(GAP_ANALYSIS.items)))


TEAMS = (
    Team("Mercy ED", "Mercy Health", "community_ed", Person("Dana Reyes", "nurse", "RN, CPEN"),
         _answers(("partly",)), _year((11, 12, 12, 14, 15, 15, 17, 18, 18, 19, 19, 20), 20), "adopt"),
    Team("Big Sky EMS", "Big Sky County", "ems_agency", Person("Sam Ortiz", "paramedic", "NRP"),
         _answers(("yes", "partly", "no")), _year((6, 7, 7, 9, 8, 10, 11, 12, 12, 13, 14, 14), 16), "adapt"),
)  # fmt: skip
# Invited to the first team from its page: the one with an email, matched in the Zoom report.
INVITED = Person("Dr Lee Park", "physician", email="lee@mercy.example", role="physician_champion")

SESSION = {
    "kind": "learning_session",
    "title": "LS1 Kilograms at triage",
    "starts_at": "2026-03-10T09:00",  # in ZONE, as the page's field takes it
    "duration_minutes": "90",
    "credit_types": ("cme", "cne", "capce"),
    "max_hours": "1.5",
    "accrediting_body": "American Academy of Pediatrics",
}
ROSTER = {"Dana Reyes": 90, "Sam Ortiz": 75}  # typed into the roster
ZOOM_JOINS = (30, 15)  # Dr Park joined twice: the report counts both
ZOOM_MINUTES = sum(ZOOM_JOINS)

PLAN = {
    "title": "Kilograms on the triage card",
    "change_idea": "Print a kg-only box on the triage card",
    "objective": "See if the card prompts a weight in kg",
    "prediction": "90% of children weighed in kg within two weeks",
    "plan": "Night shift, two weeks, the charge nurse checks the cards",
}
DO = "Cards printed; two nurses forgot the box on the first night"
STUDY = {
    "results": "85% in kg after two weeks",
    "prediction_confirmed": "false",
    "learning": "Nights need a reminder",
}
NEXT_STEPS = "Lock the scales to kilograms too"

SHARE = {
    "title": "Kilograms at triage",
    "summary": "Scales locked to kg and a kg box on the card: 95% by November.",
}
STORYBOARD = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OUTPUT = {
    "kind": "toolkit",
    "title": "Kilograms-only toolkit",
    "description": "The cards, the scale settings",
}
COMMUNITY = "Dana Reyes"


def months_csv(team: Team) -> str:
    """A team's year of months as the upload takes it (one measure: the column named)."""
    rows = [f"{MEASURE['name']},{month},{n},{d}" for month, n, d in team.months]
    return "measure,month,numerator,denominator\n" + "\n".join(rows) + "\n"


def zoom_report() -> str:
    """The videoconference's participants report: Dr Park's two joins, and a guest."""
    joins = "".join(f"Lee P,{INVITED.email},,,{minutes}\n" for minutes in ZOOM_JOINS)
    return (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n" + joins + "Guest,,,,20\n"
    )
