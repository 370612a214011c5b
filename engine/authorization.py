"""Who may do what: one table of write permissions per role, and read scopes.

Reads are authorised by the queries (engine/queries), commands by `authorize_command`.
Staff run collaboratives; a team token writes only its own team's data and reads
only its own collaborative; coaches read their teams and the collaboratives of those
teams, add coaching notes and resources there; auditors read everything and write
nothing; subscribers read the event feed only.

A coach's collaboratives are found on their Participant (the AssignCoach handler
records the coaching there, atomically with the Team), so a check is one cached
read; history from before that was kept falls back to the collaborative's roster.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from aggregates.base import Role
from aggregates.collaborative import Collaborative
from aggregates.participant import Participant
from aggregates.team import Team
from aggregates.tokens import Principal
from engine.commands import Command
from engine.commands.learning import CommentOnProject, ShareFile, ShareLink, TryChange
from engine.commands.team import (
    AddCoachingNote,
    AddMember,
    DefineMeasure,
    PlanCycle,
    RecordAct,
    RecordDo,
    RecordStudy,
    RemoveMember,
    ShareProject,
    SubmitAssessment,
    SubmitData,
    TeamCommand,
)
from engine.errors import Forbidden, NotFound

# Commands a team token may send for its own team.
TEAM_WRITES: frozenset[type[Command]] = frozenset(
    {
        AddMember,
        RemoveMember,
        SubmitAssessment,
        DefineMeasure,
        SubmitData,
        PlanCycle,
        RecordDo,
        RecordStudy,
        RecordAct,
        ShareProject,
        CommentOnProject,
        TryChange,
    }
)
COACH_WRITES: frozenset[type[Command]] = frozenset({AddCoachingNote})
# Coaches (as faculty) and teams add to a library too; a team only to its own collaborative's.
# The change package and toolkits are staff's alone.
LIBRARY_WRITES: frozenset[type[Command]] = frozenset({ShareLink, ShareFile})
READ_ROLES = frozenset({Role.STAFF, Role.AUDITOR, Role.COACH, Role.TEAM})
# The feed carries every collaborative's events, so only roles that see everything read it.
FEED_ROLES = frozenset({Role.STAFF, Role.AUDITOR, Role.SUBSCRIBER})


class Records(Protocol):
    """The aggregates the rules look at (QIEngine is one)."""

    def team(self, aggregate_id: UUID) -> Team: ...
    def participant(self, aggregate_id: UUID) -> Participant: ...
    def collaborative(self, aggregate_id: UUID) -> Collaborative: ...


def authorize_command(principal: Principal, command: Command, records: Records) -> None:
    """Refuse a command the caller's role or scope does not allow."""
    role = principal.role
    if role is Role.STAFF:
        return
    kind = type(command)
    if role is Role.TEAM and kind in TEAM_WRITES:
        assert isinstance(command, TeamCommand)
        if command.team_id == principal.team_id:
            return
        raise Forbidden("a team token may only change its own team")
    if role is Role.COACH and kind in COACH_WRITES:
        assert isinstance(command, TeamCommand)
        if is_coach_of(principal, records.team(command.team_id)):
            return
        raise Forbidden("a coach may only add notes for the teams they coach")
    if kind in LIBRARY_WRITES:
        assert isinstance(command, ShareLink | ShareFile)
        authorize_library_write(principal, command.collaborative_id, records)
        return
    raise Forbidden(f"the {role.value} role may not {_describe(kind)}")


def authorize_library_write(principal: Principal, collaborative_id: UUID, records: Records) -> None:
    """Staff, coaches and teams add resources; a team or coach only to their own collaborative's library."""
    if principal.role not in (Role.STAFF, Role.COACH, Role.TEAM):
        raise Forbidden(f"the {principal.role.value} role may not add resources to the library")
    if principal.role is Role.TEAM and own_collaborative(principal, records) != collaborative_id:
        raise Forbidden("a team token may only add resources to its own collaborative's library")
    if principal.role is Role.COACH and not coaches_in(principal, collaborative_id, records):
        raise Forbidden(
            "a coach may only add resources to the library of a collaborative where they coach a team"
        )


def authorize_collaborative_read(
    principal: Principal, collaborative_id: UUID | None, records: Records
) -> None:
    """A reading role; a team token reads only its own collaborative, a coach those where they coach."""
    authorize_read(principal)
    if principal.role is Role.TEAM and own_collaborative(principal, records) != collaborative_id:
        raise Forbidden("a team token may only read its own collaborative")
    if principal.role is Role.COACH and not coaches_in(principal, collaborative_id, records):
        raise Forbidden("a coach may only read the collaboratives where they coach a team")


def may_read_collaborative(principal: Principal, collaborative_id: UUID, records: Records) -> bool:
    """Whether `authorize_collaborative_read` lets the caller in (for lists)."""
    try:
        authorize_collaborative_read(principal, collaborative_id, records)
    except Forbidden:
        return False
    return True


def own_collaborative(principal: Principal, records: Records) -> UUID | None:
    """The collaborative of a team token's team (None for other roles)."""
    if principal.role is not Role.TEAM or principal.team_id is None:
        return None
    return records.team(principal.team_id).collaborative_id


def coaches_in(principal: Principal, collaborative_id: UUID | None, records: Records) -> bool:
    """Whether the coach behind the token coaches a team of the collaborative."""
    coach = principal.participant_id
    if coach is None or collaborative_id is None:
        return False
    try:
        if records.participant(coach).coaches_in(collaborative_id):
            return True
        # Coaching assigned before the Participant kept it: only the Team knows.
        roster = records.collaborative(collaborative_id).state.teams
    except NotFound:
        return False
    return any(records.team(team_id).state.coach_id == coach for team_id in roster)


def authorize_read(principal: Principal) -> None:
    """Any role but the feed's subscribers reads; scopes are checked by the callers above."""
    if principal.role not in READ_ROLES:
        raise Forbidden(f"the {principal.role.value} role may only read the event feed")


def authorize_feed(principal: Principal) -> None:
    """Staff, auditors and subscribers read the event feed; it holds every collaborative's events."""
    if principal.role not in FEED_ROLES:
        raise Forbidden(f"the {principal.role.value} role may not read the event feed of every collaborative")


def authorize_team_read(principal: Principal, team: Team) -> None:
    """Staff and auditors read every team; a team its own; a coach the teams they coach."""
    authorize_read(principal)
    if principal.role is Role.TEAM and principal.team_id != team.id:
        raise Forbidden("a team token may only read its own team")
    if principal.role is Role.COACH and not is_coach_of(principal, team):
        raise Forbidden("a coach may only read the teams they coach")


def authorize_staff(principal: Principal, what: str) -> None:
    """Staff and auditors only."""
    if principal.role not in (Role.STAFF, Role.AUDITOR):
        raise Forbidden(f"only staff and auditors may {what}")


def attendance_scope(principal: Principal, records: Records) -> frozenset[UUID] | None:
    """Whose attendance the caller sees: a team token its own members' only; None means everyone's."""
    if principal.role is not Role.TEAM or principal.team_id is None:
        return None
    return frozenset(records.team(principal.team_id).state.members)


def own_team_in(principal: Principal, collaborative_id: UUID, records: Records) -> Team | None:
    """A team token's team, when it belongs to this collaborative (None for other roles)."""
    if principal.role is not Role.TEAM or principal.team_id is None:
        return None
    team = records.team(principal.team_id)
    return team if team.collaborative_id == collaborative_id else None


def is_coach_of(principal: Principal, team: Team) -> bool:
    """Whether the token's person is the team's coach."""
    return principal.participant_id is not None and team.state.coach_id == principal.participant_id


def _describe(kind: type[Command]) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in kind.__name__).strip()
    return words
