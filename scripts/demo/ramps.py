"""The PDSA ramps each care setting's teams run, cycle by cycle: one table of scripts."""

from __future__ import annotations

from typing import NamedTuple

from aggregates.values import ActDecision, CareSetting
from scripts.demo.data import ACADEMIC, CAH, ED, EMS, TRIBAL


class CycleScript(NamedTuple):
    title: str
    change_idea: str
    objective: str
    prediction: str
    plan: str
    observations: str
    results: str
    prediction_confirmed: bool
    learning: str
    decision: ActDecision
    next_steps: str


ADOPT, ADAPT, ABANDON = ActDecision.ADOPT, ActDecision.ADAPT, ActDecision.ABANDON

_HOSPITAL_RAMP = (
    CycleScript(
        "Lock the triage scale to kilograms (day shift)",
        "Lock the triage scale so it displays kilograms only",
        "Remove pound-to-kilogram conversion at triage",
        "At least 80% of children weighed on day shift are recorded in kg only within two weeks",
        "Biomed locks the main triage scale; the nurse champion audits 20 day-shift charts a week",
        "Locked on day 1; night shift unlocked it twice to weigh adults, so signage went up on day 4",
        "Day-shift kg-only rose from about 60% to 78%; night shift did not change",
        False,
        "Locking fails while the scale is shared with adults: children need their own scale",
        ADAPT,
        "Buy a dedicated kg-only pediatric scale and test it on every shift",
    ),
    CycleScript(
        "Dedicated kg-only pediatric scale on every shift",
        "A pediatric scale that cannot display pounds, kept at triage",
        "Weigh every child in kilograms regardless of shift",
        "At least 85% kg-only across all shifts within three weeks",
        "Place the scale at triage; huddle each shift for a week; audit 30 charts a week",
        "Scale in place for three weeks; two agency nurses needed a second huddle",
        "87% kg-only across all shifts; the gap between shifts closed",
        True,
        "Equipment that cannot show pounds does more than reminders",
        ADOPT,
        "Make the EHR triage weight field accept kilograms only",
    ),
    CycleScript(
        "Kilogram-only EHR weight field with a hard stop",
        "The EHR triage weight field accepts kilograms only and cannot be skipped",
        "Stop estimated or pound weights reaching orders",
        "At least 90% kg-only, with no pound weights reaching the pharmacy",
        "IT builds the field change in test; go-live on a Monday with super-users on each shift",
        "Live for four weeks; one downtime day used the paper triage form",
        "93% kg-only; pharmacy caught no pound weights, against three the month before",
        True,
        "A hard stop holds the gain without extra audits",
        ADOPT,
        "Spread to the fast-track entrance and move the audit to monthly",
    ),
)
_CAH_RAMP = (
    CycleScript(
        "Convert parent-stated weights with a wall chart",
        "A pounds-to-kilograms wall chart at the nurses' station",
        "Get a kilogram weight for every child even when the scale is busy",
        "Converted weights will be within 5% of measured weights",
        "Post the chart; for two weeks weigh every child too and compare",
        "Parents' weights were often months old; conversions were read from the wrong row twice",
        "Only 6 of 14 converted weights were within 5% of the measured weight",
        False,
        "A converted estimate is not a measured weight; weigh every child",
        ABANDON,
        "Weigh every child on a kilogram-only scale in the ED bay",
    ),
    CycleScript(
        "Weigh every child on a kg-only scale in the ED bay",
        "A kilogram-only scale in the ED bay, used for every child before any dose",
        "Measure, not estimate, every child's weight",
        "At least 85% of children weighed and recorded in kg only",
        "Move the clinic's spare scale to the ED bay, lock it to kg, audit every pediatric chart",
        "Used for all but two children, both in resuscitation and weighed with a tape",
        "89% kg-only over three weeks",
        True,
        "With few children a month, every chart can be audited and shared at the huddle",
        ADOPT,
        "Carry the kilogram weight into transfer paperwork",
    ),
    CycleScript(
        "Weight in kg on the transfer packet checklist",
        "Add 'weight in kg, measured' to the interfacility transfer checklist",
        "Send the receiving hospital a measured kilogram weight",
        "Every transfer packet carries a measured weight in kilograms",
        "Add the line to the checklist; review every pediatric transfer for a month",
        "Five transfers; the checklist line was missed once at night",
        "4 of 5 packets had a measured kg weight",
        False,
        "The checklist works when the charge nurse owns it",
        ADAPT,
        "Make the charge nurse sign the checklist line",
    ),
)
_TRIBAL_RAMP = (
    CycleScript(
        "Kg-only scale and a weight prompt at intake",
        "Lock the intake scale to kilograms and prompt for weight at check-in",
        "Weigh every child at intake, before vital signs",
        "At least 80% of children recorded in kg only in two weeks",
        "Lock the scale; the front desk hands a weight card to each family with a child",
        "Cards ran out in week 2; families liked seeing the weight written down",
        "82% kg-only",
        True,
        "A visible card reminds staff and families alike",
        ADOPT,
        "Record the weight in the EHR vitals flow sheet in kilograms",
    ),
    CycleScript(
        "Medical assistants record weight in kg in the vitals flow sheet",
        "Weight in kilograms is a required vitals field for children",
        "Make the kilogram weight part of the vitals every child gets",
        "At least 90% kg-only",
        "Train the medical assistants at the Monday huddle; audit 20 charts a week",
        "All medical assistants trained; one locum used the adult template",
        "91% kg-only",
        True,
        "Owning the weight as a vital sign made it routine",
        ADOPT,
        "Share monthly results at the all-staff huddle",
    ),
    CycleScript(
        "Monthly weight-in-kg huddle with feedback",
        "Show the run chart at the monthly all-staff huddle",
        "Keep the gain visible to everyone",
        "Kg-only stays at or above 90% for two months",
        "The nurse champion presents the run chart and one story each month",
        "Two huddles held; the locum schedule meant some staff missed both",
        "90% and 94% in the two months",
        True,
        "Feedback holds the gain; locums need it at orientation too",
        ADAPT,
        "Add weight in kilograms to the locum orientation sheet",
    ),
)
_EMS_RAMP = (
    CycleScript(
        "ePCR weight field in kilograms only",
        "Change the ePCR weight field to kilograms only",
        "Stop pound weights in patient care reports",
        "At least 80% of pediatric reports carry a weight in kg only",
        "The vendor changes the field; the QA lead reviews every pediatric report for two weeks",
        "Crews entered estimated weights when they could not weigh the child",
        "76% kg-only, but a third of those were crew estimates",
        False,
        "Crews need a measured or length-based weight, not a field change alone",
        ADAPT,
        "Use the length-based tape whenever the child cannot be weighed",
    ),
    CycleScript(
        "Length-based tape when the child cannot be weighed",
        "A length-based resuscitation tape on every unit, used when no weight is available",
        "Give every child a weight in kilograms from a scale, parent or tape",
        "At least 85% of reports carry a kg weight with its source",
        "Stock a tape on every unit; teach its use at the monthly skills check",
        "Tapes on all units by day 3; two crews asked for a refresher",
        "86% kg-only with a source recorded",
        True,
        "The tape turns 'unknown weight' into a kilogram weight in seconds",
        ADOPT,
        "Give each crew monthly feedback on its kg documentation",
    ),
    CycleScript(
        "Monthly QA feedback to crews on kg documentation",
        "Each crew gets its own kg documentation rate every month",
        "Keep documentation high across all shifts",
        "Every shift at or above 85% kg-only",
        "The QA lead emails each crew its rate and one case to learn from",
        "Feedback sent for two months; one shift asked for peer comparison",
        "All shifts at 85% or more; the lowest shift rose from 79% to 88%",
        True,
        "Crews respond to their own numbers more than to the agency's",
        ADOPT,
        "Keep monthly feedback and add it to the pediatric emergency care coordinator's duties",
    ),
)
RAMPS: dict[CareSetting, tuple[CycleScript, ...]] = {
    ED: _HOSPITAL_RAMP,
    ACADEMIC: _HOSPITAL_RAMP,
    CAH: _CAH_RAMP,
    TRIBAL: _TRIBAL_RAMP,
    EMS: _EMS_RAMP,
}
