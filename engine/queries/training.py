"""QI training as people read it: the modules a collaborative offers (with the reader's own
record of each), one module to take (its check without the right answers, unless staff),
a person's record, and for a team who has done which module and the basics."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import orjson

from aggregates.tokens import Principal
from aggregates.training import BASICS, ModuleDefinition, TrainingModule
from engine import authorization
from engine.queries.base import Reader
from projections.training import ATTEMPTS, MODULES


@dataclass(frozen=True)
class Progress:
    """A person's record of one module."""

    attempts: int
    completed: bool
    best: str | None  # "8 of 10", the best attempt; None before any or without a check


@dataclass(frozen=True)
class ModuleListed:
    module_id: UUID
    title: str
    summary: str
    topics: list[str]
    questions: int
    pass_mark: int | None
    credit: dict[str, object] | None  # credit types, hours, accrediting body
    published_at: str
    mine: Progress | None  # the reader's own record (None: not a person, or never taken)


@dataclass(frozen=True)
class ModuleView:
    module_id: UUID
    collaborative_id: UUID
    module: ModuleDefinition  # without the right answers unless the reader is staff
    mine: Progress | None


@dataclass(frozen=True)
class MemberTraining:
    participant_id: UUID
    completed: list[str]  # titles of the modules completed
    basics: list[str]  # the BASICS topics covered by a completed module


class TrainingQueries(Reader):
    def training_modules(self, principal: Principal, collaborative_id: UUID) -> list[ModuleListed]:
        self._may_read_collaborative(principal, collaborative_id)
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT module_id, title, summary, topics, questions, pass_mark, credit, published_at FROM {MODULES} "
                "WHERE collaborative_id = ? ORDER BY position",
                (str(collaborative_id),),
            )
        mine = self._records(principal.participant_id)
        return [
            ModuleListed(
                UUID(m),
                t,
                s,
                orjson.loads(topics),
                int(q),
                p,
                orjson.loads(c) if c else None,
                at,
                mine.get(m),
            )
            for m, t, s, topics, q, p, c, at in rows
        ]

    def training_module(self, principal: Principal, module_id: UUID) -> ModuleView:
        module = self.engine.get(TrainingModule, module_id)
        self._may_read_collaborative(principal, module.state.collaborative_id)
        definition = module.state.module
        if not principal.staff and definition.check is not None:
            hidden = [q.model_copy(update={"correct": 0}) for q in definition.check.questions]
            definition = definition.model_copy(
                update={"check": definition.check.model_copy(update={"questions": tuple(hidden)})}
            )
        return ModuleView(
            module_id,
            module.state.collaborative_id,
            definition,
            self._records(principal.participant_id).get(str(module_id)),
        )

    def person_training(self, principal: Principal, participant_id: UUID) -> dict[str, Progress]:
        """A person's record by module id: the person themselves, staff, and auditors."""
        if principal.participant_id != participant_id:
            self._staff_about(principal, participant_id, "read another person's training")
        return self._records(participant_id)

    def team_training(self, principal: Principal, team_id: UUID) -> list[MemberTraining]:
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        members = [str(m) for m in team.state.members]
        if not members:
            return []
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT DISTINCT a.participant_id, m.title, m.topics FROM {ATTEMPTS} a JOIN {MODULES} m "
                f"ON m.module_id = a.module_id WHERE a.passed = 1 AND m.collaborative_id = ? "
                f"AND a.participant_id IN ({', '.join('?' * len(members))})",
                (str(team.state.collaborative_id), *members),
            )
        done: dict[str, list[tuple[str, list[str]]]] = {}
        for person, title, topics in rows:
            done.setdefault(person, []).append((title, orjson.loads(topics)))
        return [
            MemberTraining(
                UUID(p),
                sorted(t for t, _ in done.get(p, [])),
                [b for b in BASICS if any(b in topics for _, topics in done.get(p, []))],
            )
            for p in members
        ]

    def _records(self, participant_id: UUID | None) -> dict[str, Progress]:
        if participant_id is None:
            return {}
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT module_id, answered_right, asked, passed FROM {ATTEMPTS} WHERE participant_id = ? ORDER BY position",
                (str(participant_id),),
            )
        found: dict[str, list[tuple[int, int, int]]] = {}
        for module, right, asked, passed in rows:
            found.setdefault(module, []).append((int(right), int(asked), int(passed)))
        records = {}
        for module, attempts in found.items():
            best = max(attempts, key=lambda a: a[0])
            records[module] = Progress(
                len(attempts), any(a[2] for a in attempts), f"{best[0]} of {best[1]}" if best[1] else None
            )
        return records
