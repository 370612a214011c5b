"""What the team page's own forms need besides the team: who coaches it, who wrote its
coaching notes (by name), and for staff the collaborative's people to assign as coach
or add as a member."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.collaborative import Collaborative
from aggregates.team import Team
from aggregates.tokens import Principal
from engine import authorization
from engine.errors import NotFound
from engine.queries.base import Reader

UNKNOWN_WRITER = "a writer no longer on record"


@dataclass(frozen=True)
class PersonChoice:
    """A person of the collaborative, as a form offers them: name and what they do there."""

    participant_id: UUID
    name: str
    where: str  # e.g. "member of Mercy ED, coach of Big Sky EMS"


@dataclass(frozen=True)
class TeamWork:
    coach: str | None  # the coach's name
    note_writers: dict[str, str]  # actor id of each coaching note -> the writer's name
    people: list[PersonChoice]  # staff only (else empty): everyone who works in the collaborative


class TeamWorkQueries(Reader):
    def team_work(self, principal: Principal, team_id: UUID) -> TeamWork:
        """The names around a team the caller reads; the collaborative's people for staff."""
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        coach = self._name(team.state.coach_id) if team.state.coach_id else None
        writers = {n.author_id for n in team.state.coaching_notes.values()}
        people = self._people(team) if principal.staff else []
        return TeamWork(coach, self._writers(writers), people)

    def _name(self, participant_id: UUID) -> str | None:
        try:
            person = self.engine.participant(participant_id)
        except NotFound:
            return None
        name = person.state.details.name
        return name if isinstance(name, str) and person.state.erased_at is None else None

    def _writers(self, actor_ids: set[str]) -> dict[str, str]:
        """Each writer's name: a person's from their account, a service token's its own."""
        names: dict[str, str] = {}
        others: dict[str, str] | None = None
        for actor in actor_ids:
            found = self._account_name(actor)
            if found is None:
                others = self.engine.actor_names() if others is None else others
                found = others.get(actor)
            names[actor] = found or UNKNOWN_WRITER
        return names

    def _account_name(self, actor: str) -> str | None:
        prefix, _, rest = actor.partition(":")
        if prefix != "account":
            return None
        try:
            account = self.engine.accounts.account(UUID(rest))
        except ValueError:
            return None
        return self._name(account.state.participant_id) if account is not None else None

    def _people(self, team: Team) -> list[PersonChoice]:
        """Members and coaches of the collaborative's teams, each once, by name."""
        roster = self.engine.get(Collaborative, team.state.collaborative_id).state.teams
        roles: dict[UUID, list[str]] = {}
        for team_id, entry in roster.items():
            other = team if team_id == team.id else self.engine.team(team_id)
            for member in other.state.members:
                roles.setdefault(member, []).append(f"member of {entry.name}")
            if other.state.coach_id is not None:
                roles.setdefault(other.state.coach_id, []).append(f"coach of {entry.name}")
        people = []
        for participant_id, where in roles.items():
            name = self._name(participant_id)
            if name is not None:
                people.append(PersonChoice(participant_id, name, ", ".join(where)))
        return sorted(people, key=lambda p: (p.name.lower(), p.where))
