"""A team's monthly data as its page shows it: every month of each measure, each value
with who entered it and when, and the earlier values a correction replaced (read from
the team's DataPointSubmitted and DataPointCorrected events: the aggregate keeps only
the current value). And a dry run of SubmitData over many rows, for an upload's preview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from aggregates.accounts import Account
from aggregates.base import CommandContext, Role
from aggregates.collaborative import Collaborative
from aggregates.errors import DomainError
from aggregates.phases import Phase
from aggregates.team import DataPointCorrected, DataPointSubmitted, Team
from aggregates.tokens import ApiToken, Principal
from aggregates.values import MeasureDefinition
from engine import authorization
from engine.commands.team import SubmitData
from engine.errors import NotFound
from engine.queries.base import Reader

MAX_MONTHS = 120  # ten years of empty rows at most; months with data are always shown
# Who entered a value when their actor has no account or token to name them (seeded or
# imported history): what they were.
BY_ROLE = {
    Role.TEAM: "a team member",
    Role.STAFF: "staff",
    Role.COACH: "the coach",
    Role.SYSTEM: "the system",
}


@dataclass(frozen=True)
class Entry:
    """One value a month was given: by whom (a name), when, and whether it corrected one."""

    numerator: float
    denominator: float | None
    at: Any  # datetime
    by: str
    corrected: bool

    @property
    def value(self) -> float:
        return self.numerator if self.denominator is None else self.numerator / self.denominator


@dataclass(frozen=True)
class Month:
    period: str  # YYYY-MM
    entries: tuple[Entry, ...] = ()  # oldest first: the last is the current value

    @property
    def current(self) -> Entry | None:
        return self.entries[-1] if self.entries else None

    @property
    def earlier(self) -> tuple[Entry, ...]:
        """The values corrections replaced, newest first."""
        return tuple(reversed(self.entries[:-1]))


@dataclass(frozen=True)
class MeasureMonths:
    definition: MeasureDefinition
    months: tuple[Month, ...]  # every month of the range, oldest first


@dataclass(frozen=True)
class Tried:
    """What SubmitData would do with one row: "new", "corrects", "unchanged", or its refusal."""

    outcome: str | None
    problem: str | None = None


class TeamDataQueries(Reader):
    def team_months(self, principal: Principal, team_id: UUID) -> list[MeasureMonths]:
        """Each of the team's measures with every month from the collaborative's start (or its
        first data, if earlier) through this month, each month's values and who gave them."""
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        collaborative = self.engine.collaborative(team.state.collaborative_id)
        entries = self._entries(team)
        found = []
        for key, series in team.state.measures.items():
            periods = month_range(collaborative, sorted(series.data), self.engine.clock().date())
            months = tuple(Month(p, tuple(entries.get((key, p), ()))) for p in periods)
            found.append(MeasureMonths(series.definition, months))
        return found

    def _entries(self, team: Team) -> dict[tuple[str, str], list[Entry]]:
        """Every value each (measure, month) was given, oldest first, from the team's events."""
        names = ActorNames(self.engine)
        found: dict[tuple[str, str], list[Entry]] = {}
        for event in self.engine.events.get(team.id):
            if isinstance(event, DataPointSubmitted):
                entry = Entry(event.numerator, event.denominator, event.timestamp,
                              names.of(event.actor_id, event.actor_role), isinstance(event, DataPointCorrected))  # fmt: skip
                found.setdefault((event.measure_key, event.period), []).append(entry)
        return found

    def try_data(self, principal: Principal, team_id: UUID, commands: Sequence[SubmitData]) -> list[Tried]:
        """What each SubmitData to the team would do, in order, decided on a copy of the
        team: the caller's authorization first (even for no rows), then the Team's own rules
        row by row, each row seeing the ones before it. Nothing is stored."""
        authorization.authorize_command(principal, SubmitData.model_construct(team_id=team_id), self.engine)
        team = self.engine.team(team_id)  # a copy of the cached team: deciding on it changes nothing stored
        phase = self.engine.collaborative(team.state.collaborative_id).phase
        ctx = self.engine.context(principal.actor)
        return [self._try(team, phase, ctx, command) for command in commands]

    @staticmethod
    def _try(team: Team, phase: Phase, ctx: CommandContext, command: SubmitData) -> Tried:
        assert command.team_id == team.id, "one team's rows at a time"
        before = len(team.pending_events)
        try:
            team.submit_data(
                ctx, phase, command.measure_key, command.period, command.numerator, command.denominator
            )
        except DomainError as refused:
            return Tried(None, refused.message)
        new = team.pending_events[before:]
        return Tried(
            "unchanged" if not new else "corrects" if isinstance(new[-1], DataPointCorrected) else "new"
        )


class ActorNames:
    """The name to show for an actor id: the person of an account, a token's name; else
    what the actor was (seeded history has neither). Looked up once each."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.known: dict[str, str | None] = {}

    def of(self, actor_id: str, role: Role) -> str:
        if actor_id not in self.known:
            self.known[actor_id] = self._look_up(actor_id)
        return self.known[actor_id] or BY_ROLE.get(role, role.value)

    def _look_up(self, actor_id: str) -> str | None:
        kind, _, rest = actor_id.partition(":")
        try:
            aggregate_id = UUID(rest)
        except ValueError:
            return None
        try:
            if kind == "account":
                account = self.engine.accounts.account(aggregate_id)
                return (
                    str(self.engine.accounts.principal(account).name)
                    if isinstance(account, Account)
                    else None
                )
            if kind == "token":
                return str(self.engine.get(ApiToken, aggregate_id).state.name)
        except NotFound:
            return None
        return None


def month_range(collaborative: Collaborative, with_data: list[str], today: date) -> list[str]:
    """The months a measure's table shows: from the collaborative's start (or the first
    data, if earlier) through this month; once the collaborative's end has passed, through
    its end or the month after the last data, whichever is later (the next month to fill).
    Every month with data is included; at most MAX_MONTHS empty ones."""
    state = collaborative.state
    now = period_of(today)
    last = now
    if state.ends_on is not None and period_of(state.ends_on) < now:
        after_data = next_period(with_data[-1]) if with_data else ""
        last = min(now, max(period_of(state.ends_on), after_data))
    last = max([last, *with_data[-1:]])
    starts = [period_of(state.starts_on)] if state.starts_on else []
    first = min([*starts, *with_data[:1]], default=last)
    months = []
    period = min(first, last)
    while period <= last:
        months.append(period)
        period = next_period(period)
    return sorted(set(months[-MAX_MONTHS:]) | set(with_data))


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
