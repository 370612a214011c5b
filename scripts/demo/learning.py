"""The demo collaborative's shared learning: its change package (driver diagram),
the library's resources, what teams said about each other's shared projects, and
the changes they borrowed.

The change package follows the national pediatric readiness change package as
PRQC teams meet it: reliable weights in kilograms first, then the coordinator,
competence, equipment, policies and transfers around it. The library's files are
small real documents, written here and rendered as one-page PDFs.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from aggregates.values import ActDecision, CareSetting, ResourceKind
from scripts.demo.data import CycleScript

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

# Each cycle of the ramps in demo_data, by care setting, tests one change idea.
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


# Library -----------------------------------------------------------------------


class Document(NamedTuple):
    filename: str
    heading: str
    lines: tuple[str, ...]


class ResourceSpec(NamedTuple):
    key: str
    shared_on: date
    by: str  # "staff", "coach:<key>" or "team:<key>"
    kind: ResourceKind
    title: str
    description: str
    tags: tuple[str, ...]
    care_settings: tuple[CareSetting, ...] = ()
    url: str | None = None
    document: Document | None = None


EQUIPMENT_CHECKLIST = Document("pediatric-equipment-checklist.pdf", "Pediatric emergency equipment: monthly check", (
    "PRQC Cohort 3 (demo). Adapted from the equipment list of the 2018 AAP/ACEP/ENA joint",
    "policy statement 'Pediatric Readiness in the Emergency Department'.",
    "Check that each item is present, in date and in every size listed. Initial each line.",
    "",
    "Weight and monitoring",
    "[ ] Scale locked to kilograms only, for infants and for children",
    "[ ] Length-based resuscitation tape, current edition",
    "[ ] Blood pressure cuffs: neonatal, infant, child, small adult",
    "[ ] Pulse oximeter with infant and child probes; pediatric end-tidal CO2 detector",
    "Airway and breathing",
    "[ ] Bag-valve-mask: infant (450 mL) and child bags; masks neonatal to adult",
    "[ ] Oropharyngeal airways, sizes 0 to 5; nasopharyngeal airways, 12F to 30F",
    "[ ] Laryngoscope blades: straight 0 to 2, curved 2 and 3",
    "[ ] Endotracheal tubes: uncuffed 2.5 and 3.0; cuffed 3.0 to 8.0",
    "[ ] Supraglottic airways and suction catheters (6F to 14F), infant and child sizes",
    "Circulation",
    "[ ] Intraosseous needles (15G, 18G) and driver; IV catheters 22G and 24G; arm boards",
    "[ ] Defibrillator with pediatric pads; energy doses listed in joules per kg",
    "Other",
    "[ ] Nasogastric tubes, 5F to 18F; pediatric cervical collars",
    "[ ] Weight-based drug and fluid dosing reference, in kg only",
    "",
    "Checked by: ____________________   Date: ____________",
    "Missing or expired items and who is replacing them: ________________________________",
))  # fmt: skip
PECC_ROLE = Document("ems-pecc-role-description.pdf", "EMS pediatric emergency care coordinator: role", (
    "Tri-Valley Ambulance District (demo). Shared with PRQC Cohort 3 after the June 2025 fireside chat.",
    "Purpose: one named person who makes sure the agency is ready to care for children.",
    "",
    "Responsibilities",
    "- Keep the pediatric protocols current with state EMS guidance; review them every two years.",
    "- Run pediatric skills checks each quarter, including the length-based tape and bag-valve-mask.",
    "- Check the pediatric equipment on every unit monthly against the equipment checklist.",
    "- Review every pediatric patient care report for a weight in kilograms and its source.",
    "- Send each crew its kilogram documentation rate monthly, with one case to learn from.",
    "- Meet the receiving hospitals' PECCs each quarter about handoffs and transfers.",
    "",
    "Time: about four hours a month, written into the job description.",
    "Reports to: the medical director and the operations chief.",
))  # fmt: skip
SAFETY_POLICY = Document("peds-weight-safety-policy-template.pdf", "Patient safety policy for children: template", (
    "Prairie View Regional Medical Center (demo). Adapt it to your organisation before adopting it.",
    "",
    "1. Scope: every patient under 18 seen in the emergency department.",
    "2. Every child is weighed on arrival on a scale that displays kilograms only.",
    "3. When a child cannot be weighed (resuscitation, immobilisation), the length-based tape",
    "   gives the weight, and its source is recorded with it.",
    "4. Parent-stated or estimated weights are not used to calculate medication doses.",
    "5. The weight is recorded in the EHR in kilograms only; pounds are not recorded anywhere.",
    "6. Every medication order for a child states the dose per kg and the weight it used.",
    "7. A second clinician checks high-alert weight-based doses before they are given.",
    "8. Compliance is audited monthly and shown to all staff on a run chart.",
    "",
    "Owners: the physician and nurse pediatric emergency care coordinators.",
    "Review: every two years, or after any weight-related medication event.",
))  # fmt: skip

RESOURCES: tuple[ResourceSpec, ...] = (
    ResourceSpec("pedsready", date(2024, 12, 9), "staff", ResourceKind.BEST_PRACTICE,
                 "National Pediatric Readiness Project: assessment and resources",
                 "Take the national assessment and compare your readiness score with departments of "
                 "your size; the gap analysis follows its domains.",
                 ("assessment", "pediatric readiness"), HOSPITALS, url="https://www.pedsready.org/"),
    ResourceSpec("joint-statement", date(2024, 12, 9), "staff", ResourceKind.ARTICLE,
                 "Pediatric Readiness in the Emergency Department (joint policy statement, 2018)",
                 "AAP, ACEP and ENA recommendations on coordination, competencies, quality improvement, "
                 "patient safety, policies, equipment and supplies. Pediatrics 2018;142(5):e20182459.",
                 ("pediatric readiness", "evidence"), HOSPITALS, url="https://doi.org/10.1542/peds.2018-2459"),
    ResourceSpec("ls-1-slides", date(2025, 2, 14), "staff", ResourceKind.SESSION_RECORDING_OR_SLIDES,
                 "Learning Session 1 slides: Why kilograms?",
                 "Dosing errors from pound weights, the collaborative's aim and the weight-in-kg measure.",
                 ("learning session", "weight in kg"),
                 url="https://demo.qi.example/prqc/cohort-3/sessions/ls-1-slides.pdf"),
    ResourceSpec("equipment-checklist", date(2025, 5, 9), "coach:whitfield", ResourceKind.TOOL_OR_TEMPLATE,
                 "Pediatric emergency equipment and supplies checklist",
                 "A one-page monthly check of every pediatric size, from Learning Session 4.",
                 ("equipment", "checklist"), HOSPITALS, document=EQUIPMENT_CHECKLIST),
    ResourceSpec("ems-pecc-role", date(2025, 6, 27), "team:tri-valley", ResourceKind.TOOL_OR_TEMPLATE,
                 "EMS pediatric emergency care coordinator (PECC) role description",
                 "What Tri-Valley's PECC does each month and the time it takes.",
                 ("pecc", "ems"), (EMS,), document=PECC_ROLE),
    ResourceSpec("safety-policy", date(2025, 7, 11), "team:prairie-view", ResourceKind.TOOL_OR_TEMPLATE,
                 "Patient safety policy for children (weight in kg only): template",
                 "Prairie View's policy as approved by its medical executive committee, ready to adapt.",
                 ("policy", "patient safety", "weight in kg"), HOSPITALS, document=SAFETY_POLICY),
    ResourceSpec("eiic", date(2025, 9, 26), "coach:delgado", ResourceKind.CHANGE_STRATEGY,
                 "EMSC Innovation and Improvement Center: prehospital pediatric readiness",
                 "Tools for EMS agencies: the PECC role, skills checks and the prehospital readiness assessment.",
                 ("ems", "pecc"), (EMS,), url="https://emscimprovement.center/"),
)  # fmt: skip


def pdf(document: Document) -> bytes:
    """A one-page PDF of the document's lines in Helvetica; the same bytes on every run."""
    lines = [wrapped for line in document.lines for wrapped in (textwrap.wrap(line, 92) or [""])]
    text = [f"BT /F1 15 Tf 56 770 Td ({_escape(document.heading)}) Tj /F1 10 Tf 0 -26 Td 14 TL"]
    text += [f"({_escape(line)}) Tj T*" for line in lines] + ["ET"]
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    return _assemble(objects)


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _assemble(objects: Sequence[bytes]) -> bytes:
    """Objects numbered from 1, the cross-reference table at their byte offsets, the trailer."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


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
