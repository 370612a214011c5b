"""The demo library's resources: links, and small real documents written here and
rendered as one-page PDFs, which the seed puts through the file store as uploads are."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from aggregates.values import CareSetting, ResourceKind

ED, CAH, TRIBAL = CareSetting.COMMUNITY_ED, CareSetting.CRITICAL_ACCESS_HOSPITAL, CareSetting.TRIBAL_CLINIC
EMS, ACADEMIC = CareSetting.EMS_AGENCY, CareSetting.ACADEMIC_CENTER
HOSPITALS = (ED, CAH, ACADEMIC)


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
