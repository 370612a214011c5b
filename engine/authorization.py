"""Who may do what: one table of write permissions per role, and read scopes.

Staff run collaboratives; a team token writes only its own team's data; coaches
read their teams and add coaching notes; auditors read everything and write
nothing; subscribers read the event feed only.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from aggregates.base import Role
from aggregates.team import Team
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
from engine.errors import Forbidden
from engine.tokens import Principal

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

TeamLoader = Callable[[UUID], Team]


def authorize_command(principal: Principal, command: Command, load_team: TeamLoader) -> None:
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
        if is_coach_of(principal, load_team(command.team_id)):
            return
        raise Forbidden("a coach may only add notes for the teams they coach")
    if kind in LIBRARY_WRITES:
        assert isinstance(command, ShareLink | ShareFile)
        authorize_library_write(principal, command.collaborative_id, load_team)
        return
    raise Forbidden(f"the {role.value} role may not {_describe(kind)}")


def authorize_library_write(principal: Principal, collaborative_id: UUID, load_team: TeamLoader) -> None:
    """Staff, coaches and teams add resources; a team only to its own collaborative's library."""
    if principal.role not in (Role.STAFF, Role.COACH, Role.TEAM):
        raise Forbidden(f"the {principal.role.value} role may not add resources to the library")
    if principal.role is not Role.TEAM:
        return
    if principal.team_id is None or load_team(principal.team_id).collaborative_id != collaborative_id:
        raise Forbidden("a team token may only add resources to its own collaborative's library")


def authorize_collaborative_read(
    principal: Principal, collaborative_id: UUID | None, load_team: TeamLoader
) -> None:
    """A reading role; and a team token reads only its own collaborative, whose teams it learns from."""
    authorize_read(principal)
    if principal.role is Role.TEAM and own_collaborative(principal, load_team) != collaborative_id:
        raise Forbidden("a team token may only read its own collaborative")


def own_collaborative(principal: Principal, load_team: TeamLoader) -> UUID | None:
    """The collaborative of a team token's team (None for other roles)."""
    if principal.role is not Role.TEAM or principal.team_id is None:
        return None
    return load_team(principal.team_id).collaborative_id


def authorize_read(principal: Principal) -> None:
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
    if principal.role not in (Role.STAFF, Role.AUDITOR):
        raise Forbidden(f"only staff and auditors may {what}")


def is_coach_of(principal: Principal, team: Team) -> bool:
    return principal.participant_id is not None and team.state.coach_id == principal.participant_id


def _describe(kind: type[Command]) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in kind.__name__).strip()
    return words
