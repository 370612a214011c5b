"""Response schemas for collaboratives."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.collaborative import Collaborative, PhaseChange
from aggregates.criteria import ExitCriteriaSettings, UnmetCriterion
from aggregates.phases import Phase
from aggregates.values import CareSetting, MeasureDefinition, OutputDetails


class RosterEntryPublic(BaseModel):
    team_id: UUID
    name: str
    care_setting: CareSetting
    active: bool
    registered_at: datetime
    withdrawn_at: datetime | None


class OutputPublic(OutputDetails):
    output_id: UUID
    recorded_at: datetime


class CommunityMemberPublic(BaseModel):
    participant_id: UUID
    joined_at: datetime


class CollaborativeSummary(BaseModel):
    id: UUID
    version: int
    title: str
    phase: Phase
    active_teams: int

    @classmethod
    def of(cls, c: Collaborative) -> CollaborativeSummary:
        return cls(
            id=c.id,
            version=c.version,
            title=c.state.title,
            phase=c.phase,
            active_teams=len(c.active_team_ids()),
        )


class CollaborativePublic(BaseModel):
    id: UUID
    version: int
    created_on: datetime
    modified_on: datetime
    title: str
    focus_area: str | None
    aim: str | None
    starts_on: date | None
    ends_on: date | None
    phase: Phase
    phase_history: list[PhaseChange]
    measures: list[MeasureDefinition]
    settings: ExitCriteriaSettings
    teams: list[RosterEntryPublic]
    activities: list[UUID]
    outputs: list[OutputPublic]
    community: list[CommunityMemberPublic]
    time_zone: str = Field(
        description="the IANA zone its times are shown and entered in", examples=["America/Chicago"]
    )

    @classmethod
    def of(cls, c: Collaborative) -> CollaborativePublic:
        s = c.state
        return cls(
            id=c.id,
            version=c.version,
            created_on=c.created_on,
            modified_on=c.modified_on,
            **s.model_dump(
                include={"title", "focus_area", "aim", "starts_on", "ends_on", "phase", "time_zone"}
            ),
            phase_history=s.phase_history,
            measures=list(s.measures.values()),
            settings=s.settings,
            teams=[RosterEntryPublic(team_id=i, **e.model_dump()) for i, e in s.teams.items()],
            activities=s.activities,
            outputs=[
                OutputPublic(output_id=i, recorded_at=o.recorded_at, **o.details.model_dump())
                for i, o in s.outputs.items()
            ],
            community=[CommunityMemberPublic(participant_id=i, joined_at=t) for i, t in s.community.items()],
        )


class ExitCriteriaStatus(BaseModel):
    """What stands between the collaborative and its next phase."""

    phase: Phase
    next_phase: Phase | None
    unmet: list[UnmetCriterion]
