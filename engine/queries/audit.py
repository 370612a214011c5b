"""Reads of the audit trail (staff and auditors): rows with their actors' names, the
chain's verification, and the signed digest of its head with the key that checks it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from uuid import UUID

from aggregates.personal import ERASED_TEXT
from aggregates.tokens import Principal
from engine import authorization
from engine.audit_anchor import current_digest
from engine.audit_digest import AuditDigest
from engine.audit_key import signing_key
from engine.errors import Forbidden, NotFound
from engine.queries.base import Reader
from engine.sealing import open_everywhere
from projections.audit import AuditFilter, AuditRow, Verification
from projections.audit_actors import AuditEntry, with_actor_names
from projections.audit_explorer import (
    AGGREGATE_WORDS,
    Choice,
    ExplorerChoices,
    ExplorerPage,
    ExplorerRow,
    actor_label,
    event_words,
    team_of,
)

PERSON_FIELDS = ("participant_id", "coach_id")  # payload fields that hold a person's id
BOOKKEEPING = ("idempotency", "ids")  # what only the engine's records concern: not offered


@dataclass(frozen=True)
class AuditExplorer:
    """The audit trail for a caller already authorised (the explorer page checks first,
    then reads what its fields ask for), within the collaboratives they audit (`scope`;
    None: every event)."""

    reader: Reader
    scope: tuple[UUID, ...] | None = None
    principal: Principal | None = None

    def trail(self, filters: AuditFilter) -> list[AuditEntry]:
        """The rows, with personal values opened (staff and auditors may read them): the
        trail itself keeps them sealed, as stored; an erased person's read as erased. An
        auditor of some collaboratives reads only their events."""
        names = self._names
        return with_actor_names(
            self._opened(self.reader.read_models.audit(self._scoped(filters, names))), names
        )

    def page(
        self, filters: AuditFilter, size: int, after: int | None = None, back_from: str | None = None
    ) -> ExplorerPage:
        """A page of rows newest first, as people read them: the newest matching the filters,
        the page newer than position `after`, or the one reaching back from the moment
        `back_from` (ISO-8601 UTC: a date jumped to)."""
        models, names = self.reader.read_models, self._names
        scoped = self._scoped(filters, names | self._labels() if filters.actor else names)
        if back_from is not None and after is None:
            scoped = scoped.model_copy(update={"before": models.audit_first_from(back_from)})
        found = models.audit_page(scoped, size, after)
        titles = self._titles
        teams = self._teams(titles)
        rows = [
            ExplorerRow(
                **entry.model_dump(), actor_label=actor_label(entry.actor_id, entry.actor_role, names),
                collaborative_title=titles.get(entry.collaborative_id) if entry.collaborative_id else None,
                collaborative_link=entry.collaborative_id in titles, team_name=team_of(entry, teams),
                team_link=team_of(entry, teams) is not None,
            )
            for entry in with_actor_names(self._opened(found.rows), names)
        ]  # fmt: skip
        mentioned = {str(i): n for i, n in (*titles.items(), *teams.items())} | self._people_in(found.rows)
        return ExplorerPage(rows=rows, newer=found.newer, older=found.older, names=mentioned)

    def choices(self) -> ExplorerChoices:
        """What the filters offer: collaboratives and teams by name, event types, people by name."""
        actions, actors = self.reader.read_models.audit_present(self.scope)
        names = self._names
        titles = self._titles
        teams = [
            Choice(value=str(t), label=f"{name} ({titles[c]})")
            for t, name, c in self.reader.read_models.team_names() if c in titles
        ]  # fmt: skip
        people = sorted(
            (Choice(value=a, label=actor_label(a, role, names)) for a, role in actors),
            key=lambda c: c.label.casefold(),
        )
        return ExplorerChoices(
            collaboratives=sorted((Choice(value=str(i), label=t) for i, t in titles.items()), key=lambda c: c.label),
            teams=teams, types=[Choice(value=a, label=event_words(a)) for a in actions], people=people,
            aggregate_types=[Choice(value=k, label=w) for k, w in AGGREGATE_WORDS.items() if k not in BOOKKEEPING],
        )  # fmt: skip

    def verify(self) -> Verification:
        return self.reader.read_models.verify_audit()

    def _scoped(self, filters: AuditFilter, names: dict[str, str]) -> AuditFilter:
        if self.scope is not None:
            if filters.collaborative is not None and filters.collaborative not in self.scope:
                raise Forbidden("you may only read the audit trail of the collaboratives you audit")
            filters = filters.model_copy(update={"collaboratives": self.scope})
        if filters.actor:  # an actor's id, or a person's (or token's) name or part of it
            typed = filters.actor.casefold()
            named = sorted(i for i, name in names.items() if typed in name.casefold())
            filters = filters.model_copy(update={"actor": None, "actors": (filters.actor, *named)})
        return filters

    def _labels(self) -> dict[str, str]:
        """What the page calls each actor in the trail with no account or token (set-up
        scripts, the command line), so a name typed finds them too."""
        _, actors = self.reader.read_models.audit_present(self.scope)
        return {a: actor_label(a, role, self._names) for a, role in actors if a not in self._names}

    def _opened(self, rows: Iterable[AuditRow]) -> list[AuditRow]:
        engine = self.reader.engine
        return [
            row.model_copy(update={"payload": open_everywhere(row.payload, engine.sealer.open, ERASED_TEXT)})
            for row in rows
        ]

    def _people_in(self, rows: Iterable[AuditRow]) -> dict[str, str]:
        """The names of the people the rows' payloads refer to by id (who attended, who coaches)."""
        ids = {found for row in rows for found in _person_ids(row.payload)}
        named = {}
        for text in ids:
            try:
                named[text] = self.reader.engine.participant(UUID(text)).state.details.name
            except (NotFound, ValueError):
                continue
        return named

    @cached_property
    def _names(self) -> dict[str, str]:
        """Every actor id with its person's or token's name (read once per explorer: it reads every account)."""
        return self.reader.engine.actor_names()

    @cached_property
    def _titles(self) -> dict[UUID, str]:
        """The collaboratives the caller may open, with their titles."""
        listed = self.reader.read_models.collaboratives()
        engine, principal = self.reader.engine, self.principal
        return {
            c.id: c.title for c in listed
            if (self.scope is None or c.id in self.scope)
            and (principal is None or authorization.may_read_collaborative(principal, c.id, engine))
        }  # fmt: skip

    def _teams(self, titles: dict[UUID, str]) -> dict[UUID, str]:
        """The teams of these collaboratives (those the caller may open), with their names."""
        return {t: name for t, name, c in self.reader.read_models.team_names() if c in titles}


def _person_ids(node: object) -> set[str]:
    """The ids under PERSON_FIELDS anywhere in a payload (a team's members, an attendee)."""
    if isinstance(node, dict):
        found = {str(v) for k, v in node.items() if k in PERSON_FIELDS and isinstance(v, str)}
        return found.union(*(_person_ids(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_person_ids(v) for v in node))
    return set()


class AuditQueries(Reader):
    def audit_explorer(self, principal: Principal) -> AuditExplorer:
        """The audit trail and its verification, for staff and auditors exploring it."""
        self._staff_only(principal, "explore the audit trail")
        return AuditExplorer(self, authorization.audit_scope(principal), principal)

    def audit_trail(self, principal: Principal, filters: AuditFilter) -> list[AuditEntry]:
        """One row per stored event, filtered and paged, with each actor's name."""
        self._staff_only(principal, "read the audit trail")
        return AuditExplorer(self, authorization.audit_scope(principal)).trail(filters)

    def verify_audit(self, principal: Principal) -> Verification:
        """The hash chain recomputed from the event store."""
        self._staff_only(principal, "verify the audit trail")
        return self.read_models.verify_audit()

    def audit_digest(self, principal: Principal) -> AuditDigest:
        """The chain's head, signed with this deployment's key (503 without one)."""
        self._staff_only(principal, "read the audit digest")
        key = signing_key(self.engine.settings.audit_key)
        return current_digest(self.engine, self.read_models.digests, key)

    def audit_public_key(self, principal: Principal) -> str:
        """The PEM public key that verifies the digests."""
        self._staff_only(principal, "read the audit digest key")
        return signing_key(self.engine.settings.audit_key).verifying.pem()
