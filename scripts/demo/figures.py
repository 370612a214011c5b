"""The demo's generated figures: monthly data, licence numbers, assessment scores, the
calendar's sessions and who attended them.

Seeded by strings, which random hashes with SHA-512: the same figures on every run.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time
from typing import NamedTuple
from uuid import UUID, uuid5

from aggregates.activity import ActivityDetails
from aggregates.activity_ids import ActivityIds
from aggregates.learner_ids import BirthDay, Board, BoardId, LearnerIds, StateLicence, npi_check_digit
from aggregates.values import (
    ActivityKind,
    AssessmentItem,
    AssessmentKind,
    CEOffering,
    CreditType,
    Discipline,
    Licence,
    MemberRole,
)
from scripts.demo.data import (
    ACADEMIC,
    ACCREDITOR,
    CAH,
    ED,
    ENVIRONMENTAL_SCAN_ITEMS,
    FIRESIDE_CHATS,
    GAP_ANALYSIS_ITEMS,
    LEARNING_SESSIONS,
    WEIGHT_ITEM,
    Person,
    TeamSpec,
)

FIRST_MONTH, MONTHS = date(2025, 1, 1), 14  # January 2025 to February 2026
_NAMESPACE = UUID("5d0e2a9c-7b64-4f1f-8c3e-2a9b7d41c6f0")
_LEADS = (MemberRole.PHYSICIAN_CHAMPION, MemberRole.NURSE_CHAMPION, MemberRole.TEAM_LEAD)


def _rng(*parts: str) -> random.Random:
    return random.Random(":".join(("prqc-demo", *parts)))


def month(offset: int) -> date:
    """The first day of the month `offset` months after January 2025."""
    index = FIRST_MONTH.year * 12 + FIRST_MONTH.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


BASELINE_FIRST, BASELINE_MONTHS = date(2024, 1, 1), 12  # the year before the collaborative


def baseline_values(team: TeamSpec) -> list[tuple[str, int, int]]:
    """(period, numerator, denominator) of 2024, gathered from the records at orientation:
    the team's usual practice, steady around its baseline share."""
    rng = _rng("baseline", team.key)
    values = []
    for offset in range(BASELINE_MONTHS):
        denominator = max(5, round(team.children_per_month * rng.uniform(0.85, 1.15)))
        values.append((f"2024-{offset + 1:02d}", _count(rng, denominator, team.baseline), denominator))
    return values


def _count(rng: random.Random, denominator: int, share: float) -> int:
    # Binomial spread around the expected count, so small teams are noisier.
    spread = math.sqrt(denominator * share * (1 - share))
    # A few children always arrive too sick to weigh, so no month quite reaches 100%.
    ceiling = math.floor(denominator * 0.98)
    return min(ceiling, max(0, round(denominator * share + rng.gauss(0, spread))))


def monthly_values(team: TeamSpec) -> list[tuple[str, int, int]]:
    """(period, numerator, denominator) per month: an S-shaped rise as changes take hold."""
    rng = _rng("data", team.key)
    values = []
    for offset in range(MONTHS):
        denominator = max(5, round(team.children_per_month * rng.uniform(0.85, 1.15)))
        progress = 1 / (1 + math.exp(-(offset - 4.5) / 1.2))
        share = team.baseline + (team.achieved - team.baseline) * progress
        numerator = _count(rng, denominator, share)
        values.append((month(offset).strftime("%Y-%m"), numerator, denominator))
    return values


def licences(person: Person, state: str) -> tuple[Licence, ...]:
    """Invented but stable numbers for the clinicians who would hold a licence."""
    digits = f"{uuid5(_NAMESPACE, person.name).int % 10**9:09d}"
    if person.discipline is Discipline.PHYSICIAN:
        return (Licence(kind="NPI", number=f"1{digits}"),)
    if person.discipline in (Discipline.PARAMEDIC, Discipline.EMT):
        level = "P" if person.discipline is Discipline.PARAMEDIC else "E"
        return (Licence(kind="NREMT", number=f"{level}{digits[:7]}"),
                Licence(kind="State EMS licence", number=digits[3:], issuer=state))  # fmt: skip
    if person.discipline is Discipline.NURSE:
        return (Licence(kind="RN licence", number=f"RN{digits[:7]}", issuer=state),)
    return ()


def learner_ids(person: Person, state: str) -> LearnerIds | None:
    """What the accreditors need of a clinician, as most gave it: one in five gave nothing
    yet and one in four no birthday, so the credit check has learners to list."""
    rng = _rng("learner", person.name)
    if person.discipline in (Discipline.ADMINISTRATOR, Discipline.FAMILY_PARTNER) or rng.random() < 0.2:
        return None
    first, *_, last = person.name.split()
    ids: dict[str, object] = {"first_name": first, "last_name": last}
    if rng.random() < 0.75:
        ids["birth_day"] = BirthDay(month=rng.randint(1, 12), day=rng.randint(1, 28))
    digits = f"{rng.randrange(10**8):08d}"
    if person.discipline is Discipline.PHYSICIAN:
        ids["npi"] = f"1{digits}{npi_check_digit('1' + digits)}"
        ids["boards"] = (BoardId(board=Board.ABP, number=digits[:6]),)
    elif person.discipline is Discipline.NURSE:
        ids["state_licences"] = (StateLicence(state=state, number=f"RN-{digits[:6]}"),)
    elif person.discipline in (Discipline.PARAMEDIC, Discipline.EMT):
        ids["nremt_id"] = f"{'P' if person.discipline is Discipline.PARAMEDIC else 'E'}{digits[:7]}"
    elif person.discipline is Discipline.PHARMACIST:
        ids["nabp_eprofile_id"] = digits[:7]
    return LearnerIds.model_validate(ids)


def assessment(team: TeamSpec) -> tuple[AssessmentKind, tuple[AssessmentItem, ...]]:
    """Hospitals run the gap analysis; EMS agencies and clinics the environmental scan."""
    hospital = team.care_setting in (ED, CAH, ACADEMIC)
    kind = AssessmentKind.GAP_ANALYSIS if hospital else AssessmentKind.ENVIRONMENTAL_SCAN
    names = GAP_ANALYSIS_ITEMS if hospital else ENVIRONMENTAL_SCAN_ITEMS
    rng = _rng("assessment", team.key)
    # Larger centres start better prepared, as the national assessment finds.
    typical = 70 if team.care_setting is ACADEMIC else 52
    scores = [
        round(100 * team.baseline) if name == WEIGHT_ITEM
        else min(100, max(5, round(rng.gauss(typical, 18))))
        for name in names
    ]  # fmt: skip
    return kind, tuple(AssessmentItem(item=n, score=s) for n, s in zip(names, scores, strict=True))


class Session(NamedTuple):
    key: str
    details: ActivityDetails


def sessions() -> list[Session]:
    """The year's calendar: nine 90-minute learning sessions and three fireside chats."""
    ce = CEOffering(credit_types=(CreditType.CME, CreditType.CNE, CreditType.CAPCE),
                    max_hours=1.5, accrediting_body=ACCREDITOR)  # fmt: skip

    # The learning sessions are registered with PARS and CAPCE; the fireside chats not yet.
    def registered(n: int) -> CEOffering:
        ids = ActivityIds(pars_activity_id=f"2025{n:05d}", capce_course_number=f"25-PRQC-F1-{n:04d}")
        return ce.model_copy(update={"accreditor": ids})

    return [
        Session(f"ls-{n}", ActivityDetails(
            kind=ActivityKind.LEARNING_SESSION, title=f"Learning Session {n}: {topic}",
            starts_at=datetime.combine(day, time(18), UTC), duration_minutes=90, ce=registered(n)))
        for n, (day, topic) in enumerate(LEARNING_SESSIONS, 1)
    ] + [
        Session(f"chat-{n}", ActivityDetails(
            kind=ActivityKind.FIRESIDE_CHAT, title=f"Fireside chat: {topic}",
            starts_at=datetime.combine(day, time(19), UTC), duration_minutes=60,
            ce=ce.model_copy(update={"max_hours": 1.0})))
        for n, (day, topic) in enumerate(FIRESIDE_CHATS, 1)
    ]  # fmt: skip


def attendance(session: Session, team: TeamSpec) -> list[tuple[int, int]]:
    """(member position, minutes) of those who came; some join late or leave early."""
    rng = _rng("attendance", session.key, team.key)
    duration = session.details.duration_minutes
    optional = session.details.kind is ActivityKind.FIRESIDE_CHAT
    attended = []
    for position, person in enumerate(team.members):
        chance = (0.85 if person.role in _LEADS else 0.55) * (0.4 if optional else 1.0)
        comes, partial, stayed = rng.random() < chance, rng.random() < 0.15, rng.randrange(30, duration, 5)
        if comes:
            attended.append((position, stayed if partial else duration))
    return attended
