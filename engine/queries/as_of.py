"""A collaborative as it was at a past moment, beside today: its overview then (the
dashboard and charts replayed to that moment) and what changed in between, in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from aggregates.collaborative import Collaborative, PhaseChange
from aggregates.tokens import Principal
from engine.dashboard_replay import Charts, dashboard_then
from engine.errors import NotFound
from engine.queries.collaboratives import CollaborativeQueries, Overview
from projections.audit import iso_utc
from projections.audit_explorer import event_words
from projections.dashboard_view import DashboardView

# What each kind of event did, in words (one, several); phase changes are told apart,
# and events that repeat another (a team's enrolment beside its registration) are not told.
CHANGES = {
    "TeamRegistered": ("team registered", "teams registered"),
    "Withdrawn": ("team withdrew", "teams withdrew"),
    "MemberAdded": ("team member added", "team members added"),
    "MemberRemoved": ("team member removed", "team members removed"),
    "CoachAssigned": ("coach assigned", "coaches assigned"),
    "AssessmentSubmitted": ("assessment submitted", "assessments submitted"),
    "CollaborativeMeasureDefined": ("collaborative measure defined", "collaborative measures defined"),
    "MeasureDefined": ("team measure defined", "team measures defined"),
    "DataPointSubmitted": ("data point entered", "data points entered"),
    "DataPointCorrected": ("data point corrected", "data points corrected"),
    "PdsaPlanned": ("PDSA cycle planned", "PDSA cycles planned"),
    "PdsaDone": ("PDSA cycle carried out", "PDSA cycles carried out"),
    "PdsaStudied": ("PDSA cycle studied", "PDSA cycles studied"),
    "PdsaActed": ("PDSA cycle decided", "PDSA cycles decided"),
    "ActivityScheduled": ("learning activity scheduled", "learning activities scheduled"),
    "AttendanceRecorded": ("attendance recorded", "attendances recorded"),
    "ProjectShared": ("project shared", "projects shared"),
    "OutputRecorded": ("output recorded", "outputs recorded"),
    "CommunityMemberJoined": ("community member joined", "community members joined"),
    "ParticipantRegistered": ("person registered", "people registered"),
    "JoinedTeam": ("person joined a team", "people joined teams"),
    "CoachingNoteAdded": ("coaching note added", "coaching notes added"),
    "CoachingStarted": ("coach started with a team", "coaches started with teams"),
    "ProjectCommented": ("comment on a shared project", "comments on shared projects"),
    "SharedChangeTried": ("shared change tried by another team", "shared changes tried by other teams"),
    "ResourceShared": ("resource added to the library", "resources added to the library"),
    "ToolkitCompiled": ("toolkit compiled", "toolkits compiled"),
    "SessionHeld": ("learning session held", "learning sessions held"),
    "DriverAdded": ("driver or change idea added", "drivers and change ideas added"),
    "ChangePackageNodeRetired": ("driver or change idea retired", "drivers and change ideas retired"),
    "ChangePackageNodeRenamed": ("driver or change idea renamed", "drivers and change ideas renamed"),
    "FocusRevised": ("revision of the focus", "revisions of the focus"),
    "ExitCriteriaChanged": ("change to the exit criteria", "changes to the exit criteria"),
}
UNTOLD = {
    "PhaseAdvanced",
    "TeamEnrolled",
    "TeamWithdrawn",
    "ActivityAddedToCalendar",
    "CommandAccepted",
    "IdClaimed",
}


@dataclass(frozen=True)
class AsOf:
    """A collaborative then and now. `then` is None when it did not exist yet at `moment`
    (it was created at `created_at`)."""

    now: Overview
    moment: datetime
    then: Collaborative | None
    dashboard: DashboardView | None
    charts: Charts
    created_at: datetime
    phases_since: list[PhaseChange]
    changes: list[str]


def changes_in_words(counts: dict[str, int]) -> list[str]:
    """Each kind of change with how many there were: "12 data points entered"."""
    told = []
    for action, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if action in UNTOLD:
            continue
        one, several = CHANGES.get(action, (event_words(action).lower(), event_words(action).lower()))
        told.append(
            f"{n} {one if n == 1 else several}" if action in CHANGES else f"{event_words(action)}: {n}"
        )
    return told


class AsOfQueries(CollaborativeQueries):
    def as_of(self, principal: Principal, collaborative_id: UUID, moment: datetime) -> AsOf:
        """The collaborative's overview at `moment` beside today's, and what changed since."""
        now = self.overview(principal, collaborative_id)
        created_at = now.collaborative.state.phase_history[0].at
        try:
            then = self.engine.collaborative(collaborative_id, as_of=moment)
        except NotFound:
            return AsOf(now, moment, None, None, [], created_at, [], [])
        dashboard, charts = dashboard_then(self.engine, self.read_models, then, moment)
        since = [h for h in now.collaborative.state.phase_history if h.at > moment]
        counts = self.read_models.audit_actions_since(collaborative_id, iso_utc(moment))
        return AsOf(now, moment, then, dashboard, charts, created_at, since, changes_in_words(counts))
