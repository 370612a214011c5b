"""The demo collaborative's shared learning: its change package (driver diagram),
the readiness cycles beside the ramps, what teams said about each other's shared
projects, the changes they borrowed and the toolkit.

The change package follows the national pediatric readiness change package as
PRQC teams meet it: reliable weights in kilograms first, then the coordinator,
competence, equipment, policies and transfers around it. The library is in
library.py.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from aggregates.values import ActDecision, CareSetting
from scripts.demo.ramps import CycleScript

ED, CAH, TRIBAL = CareSetting.COMMUNITY_ED, CareSetting.CRITICAL_ACCESS_HOSPITAL, CareSetting.TRIBAL_CLINIC
EMS, ACADEMIC = CareSetting.EMS_AGENCY, CareSetting.ACADEMIC_CENTER
HOSPITALS = (ED, CAH, ACADEMIC)

# Staff draw the driver diagram in orientation, before teams plan their first cycles.
PACKAGE_DRAWN_ON = date(2024, 12, 10)


class Node(NamedTuple):
    key: str
    name: str
    description: str
    parent: str | None = None  # the key of the driver it hangs under; None for a primary driver


PRIMARY_DRIVERS: tuple[Node, ...] = (
    Node("weights", "Every child has a measured weight in kilograms",
         "Weight-based doses, fluids and equipment sizes all start from the child's weight."),
    Node("coordination", "Pediatric emergency care is coordinated",
         "Someone owns pediatric readiness and the team sees how it is doing."),
    Node("competence", "Staff are competent and confident caring for children",
         "Children are a small share of visits, so skills are practised, not assumed."),
    Node("safe-systems", "Equipment, policies and transfers are ready for children",
         "The department's systems work for a child at 3 a.m. without a pediatrician."),
)  # fmt: skip
SECONDARY_DRIVERS: tuple[Node, ...] = (
    Node("kg-equipment", "Equipment that measures in kilograms only",
         "Scales and tapes that cannot show pounds remove the conversion step.", "weights"),
    Node("kg-records", "Weight documented in kilograms only",
         "One unit everywhere the weight is written: triage, orders, transfers, EMS reports.", "weights"),
    Node("pecc", "A named pediatric readiness champion", "A physician, nurse or EMS coordinator with time for it.",
         "coordination"),
    Node("feedback", "Pediatric quality improvement with feedback",
         "Teams and crews see their own numbers every month.", "coordination"),
    Node("skills", "Regular pediatric skills practice",
         "Simulation and skills checks for the low-frequency, high-risk cases.", "competence"),
    Node("equipment", "Pediatric equipment and supplies on hand in every size",
         "Checked against the joint policy statement's list.", "safe-systems"),
    Node("policies", "Policies and procedures that address children",
         "Patient safety policies written for children, not adults by default.", "safe-systems"),
    Node("transfers", "Safe interfacility transfer",
         "Agreements and guidelines agreed with the receiving pediatric centre.", "safe-systems"),
)  # fmt: skip
CHANGE_IDEAS: tuple[Node, ...] = (
    Node("lock-scales", "Lock every scale used for children to kilograms",
         "Biomedical engineering locks the unit setting so the display shows kilograms only.", "kg-equipment"),
    Node("peds-scale", "A dedicated kilogram-only pediatric scale at triage",
         "Children get their own scale, kept where they are first seen.", "kg-equipment"),
    Node("length-tape", "Length-based resuscitation tape",
         "When a child cannot be weighed: a tape on every unit and bay, and the weight's source recorded.",
         "kg-equipment"),
    Node("kg-field", "Weight field in kilograms only in the EHR and ePCR",
         "The field accepts kilograms only and cannot be skipped for a child.", "kg-records"),
    Node("conversion-chart", "Pounds-to-kilograms conversion chart",
         "A wall chart to convert parent-stated weights.", "kg-records"),
    Node("pecc-designated", "Designate a pediatric emergency care coordinator (PECC)",
         "A physician and a nurse PECC in the ED, or an EMS PECC, with the role in their job description.",
         "pecc"),
    Node("monthly-feedback", "Monthly run chart feedback to staff and crews",
         "The run chart and one story at the huddle; each EMS crew gets its own rate.", "feedback"),
    Node("mock-codes", "In-situ pediatric mock codes each quarter",
         "Simulate a pediatric resuscitation with the team on shift; the debrief checks every "
         "weight-based dose.", "skills"),
    Node("equipment-checklist", "Pediatric-specific equipment checklist checked monthly",
         "Every size on the list, in date, with a named owner who signs the check.", "equipment"),
    Node("safety-policies", "Patient safety policies for children",
         "Weight in kilograms only, weight-based dosing with a second check for high-alert drugs, "
         "and child-specific sedation and imaging practices.", "policies"),
    Node("transfer-agreements", "Interfacility transfer agreements and guidelines for children",
         "Written agreements with the pediatric centre; the transfer packet carries a measured "
         "weight in kilograms.", "transfers"),
)  # fmt: skip

# The one idea teams abandoned: retired, so it keeps its cycles but takes no new ones.
RETIRED_IDEA = "conversion-chart"
RETIRED_ON = date(2025, 7, 14)
RETIRED_REASON = (
    "Abandoned by the critical access hospitals that tested it: converted parent-stated weights "
    "were within 5% of the measured weight only 6 times in 14. Weigh every child instead."
)

# Each cycle of the ramps in ramps.py, by care setting, tests one change idea.
RAMP_IDEAS: dict[CareSetting, tuple[str, ...]] = {
    ED: ("lock-scales", "peds-scale", "kg-field"),
    ACADEMIC: ("lock-scales", "peds-scale", "kg-field"),
    CAH: ("conversion-chart", "peds-scale", "transfer-agreements"),
    TRIBAL: ("lock-scales", "kg-field", "monthly-feedback"),
    EMS: ("kg-field", "length-tape", "monthly-feedback"),
}


class ReadinessTest(NamedTuple):
    """A team's single cycle on a readiness idea beyond its kilogram ramp."""

    team: str
    idea: str
    planned_on: date
    script: CycleScript


READINESS_TESTS: tuple[ReadinessTest, ...] = (
    ReadinessTest("lakeshore", "equipment-checklist", date(2025, 6, 2), CycleScript(
        "Monthly pediatric equipment check with a named owner",
        "Check the pediatric cart monthly against the equipment checklist from Learning Session 4",
        "Have every pediatric size on hand and in date",
        "The second monthly check finds no more than two missing or expired items",
        "The nurse champion checks the cart on the first Monday; the charge nurse restocks within 48 hours",
        "The first check found 9 gaps, among them no 3.0 cuffed tubes and an expired length-based tape",
        "The second check found one gap: a 15G intraosseous needle on back-order",
        True,
        "A named owner and a date turn a list into a habit",
        ActDecision.ADOPT,
        "Add the check to the charge nurse's monthly duties and its results to the quality report",
    )),
    ReadinessTest("north-fork", "pecc-designated", date(2025, 7, 7), CycleScript(
        "Name an EMS pediatric emergency care coordinator",
        "A named EMS PECC with four hours a month, using Tri-Valley's role description",
        "Give pediatric readiness an owner in the agency",
        "Within a month the PECC reviews every pediatric report and runs a skills check on every shift",
        "The chief names a paramedic as PECC; she follows Tri-Valley's role description for a month",
        "All 41 pediatric reports reviewed; skills checks fitted into each shift's training day",
        "Every report reviewed and all four shifts checked on the tape and bag-valve-mask",
        True,
        "Four protected hours a month are enough when the role is written down",
        ActDecision.ADOPT,
        "Write the PECC role into the job description and the medical director's quarterly review",
    )),
    ReadinessTest("willow-creek", "mock-codes", date(2025, 8, 4), CycleScript(
        "In-situ pediatric mock code on night shift",
        "A quarterly in-situ pediatric resuscitation simulation with the team on shift",
        "Practise a pediatric resuscitation where it would really happen",
        "The team gives the first weight-based dose within 10 minutes from a kilogram weight",
        "The nurse champion runs a 20-minute simulated infant seizure in the ED bay, then a debrief",
        "The team used the length-based tape at once; the dosing reference was in the wrong drawer",
        "First dose drawn up at 12 minutes, from a weight in kilograms",
        False,
        "Simulation found a real delay: the dosing reference belongs on the resuscitation cart",
        ActDecision.ADOPT,
        "Move the dosing reference to the cart; repeat the mock code each quarter on another shift",
    )),
    ReadinessTest("canyon-mesa", "safety-policies", date(2025, 8, 11), CycleScript(
        "Adapt a patient safety policy for children",
        "Adapt Prairie View's patient safety policy template for the clinic",
        "Put weights in kilograms only and weight-based dosing checks into clinic policy",
        "The policy is approved within a month and staff know where to find it",
        "The nurse champion adapts the template; the medical director takes it to the health board",
        "Approved by the health board in three weeks and added to the locum binder",
        "Approved; 9 of 10 staff asked at the huddle knew the policy and where it is kept",
        True,
        "Borrowing another team's template saved months of drafting",
        ActDecision.ADOPT,
        "Review the policy in two years, or after any weight-related medication event",
    )),
)  # fmt: skip


# All teach, all learn ----------------------------------------------------------------


class Comment(NamedTuple):
    on: date
    team: str  # the commenting team's key
    project: str  # the key of the team whose shared project it is
    text: str


COMMENTS: tuple[Comment, ...] = (
    Comment(date(2025, 11, 5), "lakeshore", "prairie-view",
            "Before your pediatric scale arrived, how did night shift weigh adults on the locked scale?"),
    Comment(date(2025, 11, 6), "prairie-view", "prairie-view",
            "We kept an unlocked scale in the adult bay and labelled ours 'children, kg only'. "
            "The unlocking stopped within a week."),
    Comment(date(2025, 11, 13), "north-fork", "tri-valley",
            "Which tape do your units carry? Our crews asked whether its colour zones match the "
            "hospital's dosing reference."),
    Comment(date(2025, 11, 14), "tri-valley", "tri-valley",
            "The current edition, the same one both receiving EDs use; the PECC checked the zones "
            "against their reference in September."),
    Comment(date(2025, 11, 12), "willow-creek", "big-horn",
            "We miss the transfer checklist line at night too. Did the charge nurse sign-off fix it?"),
    Comment(date(2025, 11, 17), "heartland", "mountain-west",
            "Did pharmacy have to change the order sets when the kg-only hard stop went live?"),
    Comment(date(2025, 11, 18), "cedar-bluff", "prairie-view",
            "Same EHR vendor here: we are testing your hard stop build with our IT team this month."),
    Comment(date(2025, 11, 24), "sweetgrass", "big-horn",
            "We start your transfer checklist line this week. Thank you for sharing the packet."),
    Comment(date(2026, 1, 20), "canyon-mesa", "three-rivers",
            "Worth the wait. Adding the weight to the locum orientation sheet is next for us too."),
)  # fmt: skip


class Borrowed(NamedTuple):
    """A team runs the next cycle of its ramp on a change another team shared ('we are trying this')."""

    team: str
    project: str
    planned_on: date


BORROWED: tuple[Borrowed, ...] = (
    Borrowed("cedar-bluff", "prairie-view", date(2025, 11, 19)),
    Borrowed("heartland", "mountain-west", date(2025, 11, 20)),
    Borrowed("sweetgrass", "big-horn", date(2025, 11, 25)),
)

# Compiled at the sharing phase from the ideas that held and the library's best resources.
TOOLKIT_COMPILED_ON = date(2025, 12, 3)
TOOLKIT_IDEAS = ("lock-scales", "peds-scale", "length-tape", "kg-field", "monthly-feedback",
                 "pecc-designated", "equipment-checklist", "safety-policies", "transfer-agreements")  # fmt: skip
TOOLKIT_RESOURCES = ("joint-statement", "equipment-checklist", "ems-pecc-role", "safety-policy")
