"""The demo collaborative's cast and calendar: fictional teams, people, coaches,
sessions and assessments, modelled on the EMSC Pediatric Readiness Quality Collaborative.
The PDSA ramps are in ramps.py, the figures generated from all this in figures.py.

Every organisation and person here is invented; licence numbers are derived
from names so they are stable, not real.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from aggregates.values import CareSetting, Direction, Discipline, MeasureDefinition, MeasureKind, MemberRole

TITLE = "Pediatric Readiness Quality Collaborative — Cohort 3"
FOCUS_AREA = "Pediatric readiness: weighing and recording children's weight in kilograms"
AIM = (
    "By December 19, 2025, participating emergency departments, critical access hospitals, "
    "tribal clinics and EMS agencies will weigh and record at least 90% of children in "
    "kilograms only, so that every weight-based dose and device size starts from a "
    "correct weight."
)
STARTS_ON = date(2025, 1, 6)
ENDS_ON = date(2025, 12, 19)
MIN_TEAMS = 8
ACCREDITOR = "EIIC Continuing Education Office (demo)"

WEIGHT_KG = MeasureDefinition(
    key="weight-kg",
    name="Children weighed and recorded in kilograms only",
    kind=MeasureKind.PROCESS,
    numerator="children whose weight was measured and recorded in kilograms only",
    denominator="all children (under 18) seen",
    direction=Direction.INCREASE,
    target=0.9,
)


class Person(NamedTuple):
    name: str
    credentials: str | None
    discipline: Discipline
    role: MemberRole = MemberRole.MEMBER


class TeamSpec(NamedTuple):
    key: str
    name: str
    organization: str
    care_setting: CareSetting
    state: str
    children_per_month: int
    baseline: float  # share recorded in kg only in January 2025
    achieved: float  # the share the team settles at once its changes hold
    cycles: int  # PDSA cycles in the team's ramp
    members: tuple[Person, ...]


ED, CAH, TRIBAL = CareSetting.COMMUNITY_ED, CareSetting.CRITICAL_ACCESS_HOSPITAL, CareSetting.TRIBAL_CLINIC
EMS, ACADEMIC = CareSetting.EMS_AGENCY, CareSetting.ACADEMIC_CENTER
D, R = Discipline, MemberRole
MD, RN, APP, NRP, EMT = D.PHYSICIAN, D.NURSE, D.ADVANCED_PRACTICE_PROVIDER, D.PARAMEDIC, D.EMT
QI, DOC, NURSE = D.QUALITY_IMPROVEMENT, R.PHYSICIAN_CHAMPION, R.NURSE_CHAMPION

TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("prairie-view", "Prairie View Regional ED", "Prairie View Regional Medical Center",
             ED, "KS", 185, 0.62, 0.94, 3, (
                 Person("Elena Marsh", "MD, FACEP", MD, DOC),
                 Person("Kayla Brandt", "BSN, RN, CPEN", RN, NURSE),
                 Person("Tom Hadley", "MBA", D.ADMINISTRATOR, R.EXECUTIVE_SPONSOR),
                 Person("Priya Raman", "PharmD", D.PHARMACIST))),
    TeamSpec("lakeshore", "Lakeshore Community Hospital ED", "Lakeshore Community Hospital",
             ED, "MI", 260, 0.58, 0.92, 3, (
                 Person("Jonah Albright", "DO", MD, DOC),
                 Person("Megan O'Rourke", "RN, CEN", RN, NURSE),
                 Person("Luis Ferreira", "MSN, RN", QI, R.DATA_LEAD),
                 Person("Hannah Cole", "PA-C", APP),
                 Person("Grace Whitman", None, D.FAMILY_PARTNER))),
    TeamSpec("cedar-bluff", "Cedar Bluff Medical Center ED", "Cedar Bluff Medical Center",
             ED, "TN", 140, 0.66, 0.96, 2, (
                 Person("Samuel Okafor", "MD", MD, DOC),
                 Person("Leah Dunbar", "RN, CPEN", RN, NURSE),
                 Person("Brianna Tate", "RRT", D.RESPIRATORY_THERAPIST))),
    TeamSpec("big-horn", "Big Horn Valley Hospital", "Big Horn Valley Health District",
             CAH, "WY", 24, 0.55, 0.90, 3, (
                 Person("Carl Jensen", "MD", MD, DOC),
                 Person("Tessa Lindqvist", "RN", RN, NURSE),
                 Person("Wade Collier", "FNP-C", APP, R.TEAM_LEAD),
                 Person("Joanne Pruitt", "RN", QI, R.DATA_LEAD))),
    TeamSpec("sweetgrass", "Sweetgrass County Hospital", "Sweetgrass County Hospital District",
             CAH, "MT", 31, 0.60, 0.93, 2, (
                 Person("Anne Kowalczyk", "MD, FAAFP", MD, DOC),
                 Person("Ruth Ellingson", "RN", RN, NURSE),
                 Person("Dale Harstad", "NRP", NRP))),
    TeamSpec("willow-creek", "Willow Creek Memorial Hospital", "Willow Creek Memorial Hospital",
             CAH, "NE", 19, 0.57, 0.91, 3, (
                 Person("Paul Vandenberg", "MD", MD, DOC),
                 Person("Molly Schroeder", "BSN, RN", RN, NURSE),
                 Person("Nathan Greer", "PA-C", APP, R.TEAM_LEAD),
                 Person("Lisa Harkins", "BS", D.ADMINISTRATOR, R.EXECUTIVE_SPONSOR))),
    TeamSpec("canyon-mesa", "Canyon Mesa Tribal Health Clinic", "Canyon Mesa Tribal Health Authority",
             TRIBAL, "AZ", 46, 0.64, 0.95, 3, (
                 Person("Daniel Begay", "MD", MD, DOC),
                 Person("Sharon Tsosie", "RN", RN, NURSE),
                 Person("Kevin Morgan", "CMA", D.OTHER),
                 Person("Loretta Lee", None, D.FAMILY_PARTNER))),
    TeamSpec("three-rivers", "Three Rivers Tribal Health Center", "Three Rivers Band Health Services",
             TRIBAL, "WI", 38, 0.60, 0.92, 2, (
                 Person("Mei Chen", "MD", MD, DOC),
                 Person("Gordon Webster", "RN", RN, NURSE),
                 Person("Rebecca Pemberton", "FNP-BC", APP, R.TEAM_LEAD))),
    TeamSpec("north-fork", "North Fork Fire-Rescue", "North Fork Fire Protection District",
             EMS, "ID", 42, 0.56, 0.88, 3, (
                 Person("Ryan Kessler", "NRP, FP-C", NRP, R.TEAM_LEAD),
                 Person("Alyssa Moreno", "NRP", NRP),
                 Person("Howard Lin", "MD, FACEP", MD, DOC),
                 Person("Jake Sorensen", "EMT", EMT))),
    TeamSpec("tri-valley", "Tri-Valley Ambulance District", "Tri-Valley Ambulance District",
             EMS, "CO", 55, 0.59, 0.90, 3, (
                 Person("Monica Reyes", "NRP", NRP, R.TEAM_LEAD),
                 Person("Stephanie Park", "MD, FAEMS", MD, DOC),
                 Person("Carla Brennan", "BSN, RN, CFRN", RN, NURSE),
                 Person("Owen Fitzgerald", "NRP", NRP, R.DATA_LEAD),
                 Person("Derek Hollis", "EMT", EMT))),
    TeamSpec("mountain-west", "Mountain West Children's Hospital ED",
             "Mountain West University Health", ACADEMIC, "UT", 2100, 0.70, 0.98, 3, (
                 Person("Rachel Abernathy", "MD, FAAP", MD, DOC),
                 Person("Julian Cross", "MSN, RN, CPEN", RN, NURSE),
                 Person("Fatima Haddad", "MD, MPH", QI, R.DATA_LEAD),
                 Person("Eric Lund", "PharmD, BCPPS", D.PHARMACIST),
                 Person("Sonia Patel", "CPNP-AC", APP))),
    TeamSpec("heartland", "Heartland University Pediatric ED", "Heartland University Hospitals",
             ACADEMIC, "IA", 1550, 0.68, 0.97, 2, (
                 Person("Benjamin Stroud", "MD, FAAP", MD, DOC),
                 Person("Olivia Grant", "RN, CPEN", RN, NURSE),
                 Person("Marcus Bell", "MS", QI, R.DATA_LEAD),
                 Person("Nora Quinlan", "RN", RN))),
)  # fmt: skip

# The team whose storyboard arrives after the community of practice opens, and why
# staff let the other teams move on without it.
LATE_SHARER = "three-rivers"
LATE_SHARE_REASON = (
    "Three Rivers Tribal Health Center's storyboard is delayed by the clinic's EHR migration "
    "in November. The team presented its run chart at the December coaching call and will "
    "post the storyboard in January; staff agreed not to hold the community of practice "
    "for the other eleven teams."
)


class Coach(NamedTuple):
    key: str
    name: str
    credentials: str
    settings: tuple[CareSetting, ...]  # the care settings whose teams this coach takes


COACHES: tuple[Coach, ...] = (
    Coach("whitfield", "Dana Whitfield", "MSN, RN, CPEN", (CAH, TRIBAL)),
    Coach("oyelaran", "Marcus Oyelaran", "MD, FAAP", (ED, ACADEMIC)),
    Coach("delgado", "Rosa Delgado", "NRP, FP-C", (EMS,)),
)

LEARNING_SESSIONS: tuple[tuple[date, str], ...] = (
    (date(2025, 2, 13), "Why kilograms? Weight-based dosing errors and our aim"),
    (date(2025, 3, 13), "Run charts and your first PDSA cycle"),
    (date(2025, 4, 10), "Redesigning triage for kilogram-only weights"),
    (date(2025, 5, 8), "Equipment: locking scales and length-based tapes"),
    (date(2025, 6, 12), "EMS to ED handoffs: one weight, one unit"),
    (date(2025, 7, 10), "Sustaining gains: EHR hard stops and audit with feedback"),
    (date(2025, 8, 14), "Talking with families about weight in kilograms"),
    (date(2025, 9, 11), "Spreading change across shifts and sites"),
    (date(2025, 10, 9), "Storyboards: telling your improvement story"),
)
FIRESIDE_CHATS: tuple[tuple[date, str], ...] = (
    (date(2025, 3, 27), "A critical access hospital's first 90 days"),
    (date(2025, 6, 26), "Pediatric emergency care coordinators in EMS agencies"),
    (date(2025, 9, 25), "Pediatric readiness in tribal health settings"),
)

# Gap analyses follow the National Pediatric Readiness Assessment's domains; EMS
# agencies and clinics, which that assessment does not cover, run a shorter scan.
GAP_ANALYSIS_ITEMS = (
    "Physician pediatric emergency care coordinator",
    "Nurse pediatric emergency care coordinator",
    "Weight recorded in kilograms only",
    "Scales locked to kilograms",
    "Pediatric quality improvement plan",
    "Pediatric competency evaluations",
    "Pediatric equipment and supplies",
    "Interfacility transfer guidelines",
    "Family-centered care policies",
    "Disaster plan addresses children",
)
ENVIRONMENTAL_SCAN_ITEMS = (
    "Pediatric champion designated",
    "Weight recorded in kilograms only",
    "Kilogram-only scale or length-based tape available",
    "Pediatric skills checks",
    "Pediatric equipment on hand",
    "Pediatric protocols reviewed in the last two years",
    "Transfer or transport agreements",
    "Family engagement in care",
)
WEIGHT_ITEM = "Weight recorded in kilograms only"

TOOLKIT = (
    "Every Child, Every Time, in Kilograms: a pediatric readiness toolkit",
    "Change ideas, audit tools, scale-locking guides and ePCR field specifications "
    "tested by Cohort 3 teams across five care settings.",
)
SUMMATIVE_PAPER = (
    "Weighing Children in Kilograms Across Five Care Settings: PRQC Cohort 3 summative report",
    "Methods, run charts and lessons from twelve teams, January 2025 to February 2026.",
)
