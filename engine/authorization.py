"""Who may do what: one table of write permissions per role, and read scopes.

Reads are authorised by the queries (engine/queries), commands by `authorize_command`.
Staff run collaboratives; a team token writes only its own team's data and reads
only its own collaborative; coaches read their teams and the collaboratives of those
teams, add coaching notes and resources there; auditors read what they audit (every
collaborative, or some: their teams, audit trail and people) and write nothing;
subscribers read the event feed only.

A coach's collaboratives are found on their Participant (the AssignCoach handler
records the coaching there, atomically with the Team), so a check is one cached
read; history from before that was kept falls back to the collaborative's roster.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from aggregates.base import Role
from aggregates.collaborative import Collaborative
from aggregates.measure_chart import ChartOwner
from aggregates.participant import Participant
from aggregates.progress import Rater
from aggregates.team import Team
from aggregates.tokens import Principal
from aggregates.training import TrainingModule
from engine.commands import Command
from engine.commands.activity import AttestMocPart4, RecordLearnerIds
from engine.commands.charts import AnswerChartProposal, ChartCommand, DecideChart
from engine.commands.instruments import CompleteInstrument
from engine.commands.learning import CommentOnProject, ShareFile, ShareLink, TryChange
from engine.commands.reminders import ChooseReminders
from engine.commands.reports import AnswerReport, ReportCommand
from engine.commands.team import (
    AddCoachingNote,
    AddMember,
    ConfirmDataFinding,
    DefineMeasure,
    ImportData,
    PlanCycle,
    RecordAct,
    RecordDo,
    RecordStudy,
    RemoveMember,
    ScoreProgress,
    ShareProject,
    SubmitAssessment,
    SubmitData,
    TeamCommand,
)
from engine.commands.training import TakeModule
from engine.errors import Forbidden, NotFound

# Commands a team token may send for its own team.
TEAM_WRITES: frozenset[type[Command]] = frozenset(
    {
        AddMember,
        RemoveMember,
        SubmitAssessment,
        CompleteInstrument,
        DefineMeasure,
        SubmitData,
        ImportData,
        ConfirmDataFinding,
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
    def training_module(self, aggregate_id: UUID) -> TrainingModule: ...


def authorize_command(principal: Principal, command: Command, records: Records) -> None:
    """Refuse a command none of the caller's roles allows in its scope."""
    if isinstance(command, ChooseReminders):
        if principal.account_id is None or command.account_id != principal.account_id:
            raise Forbidden("a person chooses their own reminders, signed in to their own account")
        return
    if principal.staff:
        return
    kind = type(command)
    if isinstance(command, RecordLearnerIds) and principal.account_id is not None:
        if command.participant_id != principal.participant_id:
            raise Forbidden("a person records only their own ids for the accreditors")
        return
    if isinstance(command, AttestMocPart4) and principal.account_id is not None:
        if command.participant_id != principal.participant_id:
            raise Forbidden("a person attests only for themselves")
        if command.team_id not in principal.team_ids:  # refused before the team is read: no name told
            raise Forbidden("a person attests only for the teams they are a member of")
        return  # a person attests for themselves, signed in to their own account
    if isinstance(command, ChartCommand):
        authorize_chart_command(principal, command, records)
        return
    if isinstance(command, ScoreProgress):
        authorize_progress_score(principal, command, records)
        return
    if isinstance(command, TakeModule):
        authorize_training(principal, command, records)
        return
    if isinstance(command, ReportCommand):
        authorize_report_command(principal, command, records)
        return
    if kind in TEAM_WRITES and principal.team_ids:
        assert isinstance(command, TeamCommand)
        if command.team_id in principal.team_ids:
            return
        if not (kind in COACH_WRITES and principal.coaches):
            raise Forbidden(f"{_who(principal)} may only change {_their_teams(principal)}")
    if kind in COACH_WRITES and principal.coaches:
        assert isinstance(command, TeamCommand)
        if is_coach_of(principal, records.team(command.team_id)):
            return
        raise Forbidden("a coach may only add notes for the teams they coach")
    if kind in LIBRARY_WRITES:
        assert isinstance(command, ShareLink | ShareFile)
        authorize_library_write(principal, command.collaborative_id, records)
        return
    raise Forbidden(f"the {principal.role.value} role may not {_describe(kind)}")


def authorize_chart_command(principal: Principal, command: ChartCommand, records: Records) -> None:
    """Staff decide every chart and the team's coach their team's; the team's members (and, for
    a collaborative chart, its coaches) propose and annotate."""
    if principal.staff:
        return
    decides = isinstance(command, DecideChart | AnswerChartProposal)
    if command.owner is ChartOwner.TEAM:
        team = records.team(command.owner_id)
        if principal.coaches and is_coach_of(principal, team):
            return
        if team.id in principal.team_ids:
            if decides:
                raise Forbidden("teams propose changes to their charts; the team's coach or staff decide")
            return
        raise Forbidden(f"{_who(principal)} may only work on the charts of {_their_teams(principal)}")
    if decides:
        raise Forbidden("only staff decide how a collaborative chart is drawn; coaches propose changes")
    if principal.coaches and coaches_in(principal, command.owner_id, records):
        return
    raise Forbidden("only staff and the collaborative's coaches propose changes to or annotate its charts")


def authorize_progress_score(principal: Principal, command: ScoreProgress, records: Records) -> None:
    """A team scores itself (its members, its token); its coach gives the coach's score;
    staff may give either."""
    if principal.staff:
        return
    if command.rater is Rater.TEAM:
        if command.team_id in principal.team_ids:
            return
        if principal.team_ids:
            raise Forbidden(f"{_who(principal)} may only score the progress of {_their_teams(principal)}")
        raise Forbidden("a team scores its own progress; its coach gives the coach's score")
    if principal.coaches and is_coach_of(principal, records.team(command.team_id)):
        return
    raise Forbidden("only the team's coach, or staff, gives the coach's score")


def authorize_training(principal: Principal, command: TakeModule, records: Records) -> None:
    """A person takes a module for themselves (signed in to their account, or with a token
    of theirs), in a collaborative they work in: a member of one of its teams, or a coach there."""
    if principal.participant_id is None:
        raise Forbidden("training is taken by a person, for themselves: sign in to your own account")
    if command.participant_id != principal.participant_id:
        raise Forbidden("a person takes training only for themselves")
    collaborative_id = records.training_module(command.module_id).state.collaborative_id
    teams = (records.team(t) for t in principal.team_ids)
    if any(t.state.collaborative_id == collaborative_id for t in teams) or coaches_in(
        principal, collaborative_id, records
    ):
        return
    raise Forbidden("this module is offered to the people of another collaborative")


def authorize_report_command(principal: Principal, command: ReportCommand, records: Records) -> None:
    """A team writes, submits and reopens its own monthly report; its coach (or staff) answers it."""
    if principal.staff:
        return
    if isinstance(command, AnswerReport):
        if principal.coaches and is_coach_of(principal, records.team(command.team_id)):
            return
        if principal.coaches:
            raise Forbidden("a coach answers only the monthly reports of the teams they coach")
        raise Forbidden("the team's coach, or staff, answers its monthly report")
    if command.team_id in principal.team_ids:
        return
    if principal.team_ids:
        raise Forbidden(f"{_who(principal)} may only write the monthly reports of {_their_teams(principal)}")
    raise Forbidden("a team writes its own monthly report; its coach answers it")


def _who(principal: Principal) -> str:
    return "a team token" if principal.token_id is not None else "a team member"


def _their_teams(principal: Principal) -> str:
    return "its own team" if principal.token_id is not None else "the teams they are a member of"


def authorize_library_write(principal: Principal, collaborative_id: UUID, records: Records) -> None:
    """Staff, coaches and teams add resources; a team or coach only to their own collaborative's library."""
    if principal.staff:
        return
    if principal.team_ids and collaborative_id in own_collaboratives(principal, records):
        return
    if principal.coaches and coaches_in(principal, collaborative_id, records):
        return
    if principal.team_ids:
        raise Forbidden(f"{_who(principal)} may only add resources to {_their_libraries(principal)}")
    if principal.coaches:
        raise Forbidden(
            "a coach may only add resources to the library of a collaborative where they coach a team"
        )
    raise Forbidden(f"the {principal.role.value} role may not add resources to the library")


def _their_libraries(principal: Principal) -> str:
    return (
        "its own collaborative's library"
        if principal.token_id is not None
        else "the libraries of their teams' collaboratives"
    )


def authorize_collaborative_read(
    principal: Principal, collaborative_id: UUID | None, records: Records
) -> None:
    """A reading role; staff read every collaborative, an auditor those they audit, a team
    member those of their teams, a coach those where they coach."""
    authorize_read(principal)
    if principal.staff or (principal.auditor and principal.audits_collaborative(collaborative_id)):
        return
    if principal.team_ids and collaborative_id in own_collaboratives(principal, records):
        return
    if principal.coaches and coaches_in(principal, collaborative_id, records):
        return
    if principal.team_ids and not principal.coaches:
        what = (
            "its own collaborative" if principal.token_id is not None else "the collaboratives of their teams"
        )
        raise Forbidden(f"{_who(principal)} may only read {what}")
    if principal.coaches and not principal.team_ids:
        raise Forbidden("a coach may only read the collaboratives where they coach a team")
    raise Forbidden("you may only read the collaboratives you work in or were granted")


def may_read_collaborative(principal: Principal, collaborative_id: UUID, records: Records) -> bool:
    """Whether `authorize_collaborative_read` lets the caller in (for lists)."""
    try:
        authorize_collaborative_read(principal, collaborative_id, records)
    except Forbidden:
        return False
    return True


def own_collaborative(principal: Principal, records: Records) -> UUID | None:
    """The collaborative of a team token's one team (None for other callers)."""
    if principal.team_id is None:
        return None
    return records.team(principal.team_id).collaborative_id


def own_collaboratives(principal: Principal, records: Records) -> set[UUID]:
    """The collaboratives of the teams the caller acts for as a member."""
    found = set()
    for team_id in principal.team_ids:
        try:
            collaborative = records.team(team_id).collaborative_id
        except NotFound:
            continue
        if collaborative is not None:
            found.add(collaborative)
    return found


def coaches_in(principal: Principal, collaborative_id: UUID | None, records: Records) -> bool:
    """Whether the coach behind the caller coaches a team of the collaborative."""
    coach = principal.participant_id
    if not principal.coaches or coach is None or collaborative_id is None:
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
    """Any role but the feed's subscribers reads; scopes are checked by the callers above.
    A person on no team and with no role reads only what is theirs (their own credit)."""
    if not principal.roles & READ_ROLES:
        if principal.role is Role.PERSON:
            raise Forbidden("you may read your own credit; ask staff to add you to a team for more")
        raise Forbidden(f"the {principal.role.value} role may only read the event feed")


def authorize_feed(principal: Principal) -> None:
    """Staff, auditors of every collaborative and subscribers read the event feed; it holds
    every collaborative's events."""
    if principal.staff or principal.audits is None or principal.role is Role.SUBSCRIBER:
        return
    raise Forbidden(f"the {principal.role.value} role may not read the event feed of every collaborative")


def authorize_team_read(principal: Principal, team: Team) -> None:
    """Staff read every team, an auditor the teams of what they audit, a member their
    teams, a coach the teams they coach."""
    authorize_read(principal)
    if principal.staff or (principal.auditor and principal.audits_collaborative(team.collaborative_id)):
        return
    if team.id in principal.team_ids or (principal.coaches and is_coach_of(principal, team)):
        return
    if principal.team_ids and not principal.coaches:
        raise Forbidden(f"{_who(principal)} may only read {_their_teams(principal)}")
    if principal.coaches and not principal.team_ids:
        raise Forbidden("a coach may only read the teams they coach")
    raise Forbidden("you may only read the teams you work with")


def authorize_person_read(principal: Principal, participant_id: UUID, records: Records, what: str) -> None:
    """Staff and auditors of every collaborative read about anyone (once `authorize_staff`
    let them in); an auditor of some, about the people who work in those: a member or the
    coach of one of their teams, or enrolled there first."""
    if principal.staff or principal.audits is None:
        return
    s = records.participant(participant_id).state
    worked_in = {*s.teams.values(), *s.coaching.values(), s.collaborative_id}
    if not any(principal.audits_collaborative(c) for c in worked_in if c is not None):
        raise Forbidden(f"an auditor may {what} only for people in the collaboratives they audit")


def authorize_staff(principal: Principal, what: str) -> None:
    """Staff and auditors only."""
    if not (principal.staff or principal.auditor):
        raise Forbidden(f"only staff and auditors may {what}")


def audit_scope(principal: Principal) -> tuple[UUID, ...] | None:
    """The collaboratives whose audit trail the caller reads: None for every event (staff,
    auditors of every collaborative)."""
    if principal.staff or principal.audits is None:
        return None
    return principal.audits


def attendance_scope(principal: Principal, records: Records) -> frozenset[UUID] | None:
    """Whose attendance the caller sees: a team member their teams' members' only (with
    their coached teams' members, for a coach); None means everyone's."""
    if principal.staff or principal.auditor or not principal.team_ids or principal.coaches:
        return None
    members: set[UUID] = set()
    for team_id in principal.team_ids:
        members.update(records.team(team_id).state.members)
    return frozenset(members)


def own_team_in(principal: Principal, collaborative_id: UUID, records: Records) -> Team | None:
    """The caller's team in this collaborative, when they act for one as a member."""
    for team_id in principal.team_ids:
        team = records.team(team_id)
        if team.collaborative_id == collaborative_id:
            return team
    return None


def is_coach_of(principal: Principal, team: Team) -> bool:
    """Whether the caller's person is the team's coach."""
    return (
        principal.coaches
        and principal.participant_id is not None
        and team.state.coach_id == principal.participant_id
    )


def _describe(kind: type[Command]) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in kind.__name__).strip()
    return words
