"""What the team page's own sections show besides the team: the assessment instruments
and the answers of each submitted assessment, the coaching notes' writers, the coach,
the people staff may assign or add, and which forms the collaborative's phase opens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from adapters.http.deps import get_queries
from adapters.http.schemas.teams import AssessmentPublic, TeamPublic
from adapters.web.phase_notes import opens_in
from aggregates.collaborative import CollaborativeState
from aggregates.instruments import INSTRUMENTS
from aggregates.phases import Activity, is_allowed
from aggregates.tokens import Principal
from aggregates.values import Discipline, MemberRole

# The team page's forms, by the name its templates use, and the activity each runs.
GATES = {
    "assessment": Activity.SUBMIT_ASSESSMENT,
    "pdsa": Activity.RUN_PDSA,
    "coaching": Activity.COACH_TEAM,
    "share": Activity.SHARE_PROJECT,
    "coach": Activity.ASSIGN_COACH,
    "members": Activity.MANAGE_MEMBERS,
}


@dataclass(frozen=True)
class AnsweredItem:
    question: str
    answer: str | None  # None: a question this version of the instrument no longer asks
    score: float
    max_score: float


@dataclass(frozen=True)
class Submitted:
    title: str
    score_percent: float
    items: list[AnsweredItem]


def submitted(assessment: AssessmentPublic) -> Submitted:
    instrument = INSTRUMENTS.get(assessment.kind)
    title = instrument.title if instrument else assessment.kind.value.replace("_", " ")
    items = [
        AnsweredItem(i.item, instrument.answer_given(i) if instrument else None, i.score, i.max_score)
        for i in assessment.items
    ]
    return Submitted(title, assessment.score_percent, items)


def team_sections(
    request: Request, principal: Principal, team: TeamPublic, collaborative: CollaborativeState
) -> dict[str, Any]:
    """The context of the assessment, coaching, people and shared-project sections."""
    work = get_queries(request).team_work(principal, team.id)
    on_team = {m.participant_id for m in team.members}
    coaches_it = principal.coaches and principal.participant_id == team.coach_id
    phase = collaborative.phase
    return {
        "instruments": list(INSTRUMENTS.values()), "submitted": [submitted(a) for a in team.assessments],
        "coach_name": work.coach, "note_writers": work.note_writers,
        "notes": sorted(team.coaching_notes, key=lambda n: n.at, reverse=True),
        "coach_choices": [p for p in work.people if p.participant_id != team.coach_id],
        "member_choices": [p for p in work.people if p.participant_id not in on_team],
        "may_note": principal.staff or coaches_it, "all_disciplines": list(Discipline),
        "all_member_roles": list(MemberRole),
        "phase_open": {name: is_allowed(activity, phase) for name, activity in GATES.items()},
        "phase_note": {name: opens_in(activity, phase) for name, activity in GATES.items()},
        "share_command_id": None,
    }  # fmt: skip
