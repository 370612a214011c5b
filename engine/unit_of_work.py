"""The aggregates one command loads and changes, saved together in one `save()`."""

from __future__ import annotations

import copy
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.utils import get_topic

from aggregates.activity import LearningActivity
from aggregates.base import CommandContext, QIAggregate
from aggregates.collaborative import Collaborative
from aggregates.ids import IdClaim, claim_id, is_client_chosen
from aggregates.kinds import kind_name
from aggregates.participant import Participant
from aggregates.team import CoachingNoteAdded, Team
from aggregates.training import TrainingModule
from engine.errors import AlreadyExists, NotFound, StaleVersion
from engine.settings import Settings

A = TypeVar("A", bound=QIAggregate)


class UnitOfWork:
    def __init__(
        self,
        repository: Repository[Any],
        target_id: UUID | None,
        expected_version: int | None,
        trust_cache: bool = False,
        settings: Settings | None = None,
    ) -> None:
        """`trust_cache`: aggregates the command changes are copied from the cache as they
        are, without asking the store for newer events; a stale one makes the save collide
        on its version, and the engine then decides again with this off."""
        self._repository = repository
        self.settings = settings or Settings()  # the engine's, for the policies handlers apply
        self._trust_cache = trust_cache
        self._target_id = target_id
        self._expected_version = expected_version
        self._loaded: dict[UUID, QIAggregate] = {}
        self._read: dict[UUID, QIAggregate] = {}
        self._unchecked: set[UUID] = set()  # loaded to change, If-Match not yet checked
        self.created: dict[str, list[UUID]] = {}
        self._claims: dict[UUID, str] = {}  # client-chosen ids this command takes, and their kind

    def get(self, kind: type[A], aggregate_id: UUID) -> A:
        """Load an aggregate of `kind` to change it (once per command), or raise NotFound."""
        aggregate = self._loaded.get(aggregate_id)
        if aggregate is None or aggregate_id in self._unchecked:
            aggregate = aggregate or self._load_to_change(kind, aggregate_id)
            self._unchecked.discard(aggregate_id)
            self._check_expected_version(aggregate)
            self._loaded[aggregate_id] = aggregate
        if not isinstance(aggregate, kind):
            raise NotFound(kind_name(kind), aggregate_id)
        return aggregate

    def look_before_change(self, kind: type[A], aggregate_id: UUID) -> A:
        """Load an aggregate the command changes, for the authorisation rules to look at first:
        the handler's `get` finds it loaded (a coach's note loads the team once), and makes the
        If-Match check then, so a command the caller may not send is refused before it is stale."""
        aggregate = self._loaded.get(aggregate_id)
        if aggregate is None:
            aggregate = self._load_to_change(kind, aggregate_id)
            self._loaded[aggregate_id] = aggregate
            self._unchecked.add(aggregate_id)
        if not isinstance(aggregate, kind):
            raise NotFound(kind_name(kind), aggregate_id)
        return aggregate

    def _load_to_change(self, kind: type[A], aggregate_id: UUID) -> QIAggregate:
        aggregate = self._cached_copy(aggregate_id) if self._trust_cache else None
        if aggregate is None or not self._as_expected(aggregate):
            aggregate = load(self._repository, kind, aggregate_id)
        return aggregate

    def collaborative(self, aggregate_id: UUID) -> Collaborative:
        return self.get(Collaborative, aggregate_id)

    def team(self, aggregate_id: UUID) -> Team:
        return self.get(Team, aggregate_id)

    def activity(self, aggregate_id: UUID) -> LearningActivity:
        return self.get(LearningActivity, aggregate_id)

    def participant(self, aggregate_id: UUID) -> Participant:
        return self.get(Participant, aggregate_id)

    def read(self, kind: type[A], aggregate_id: UUID) -> A:
        """Load an aggregate only to look at it: the cached instance, not a copy.

        The repository deep-copies cached aggregates so commands cannot corrupt the
        cache; an aggregate the command only reads (the phase, a referenced person)
        skips that copy. Never change what `read` returns.
        """
        aggregate = self._loaded.get(aggregate_id) or self._read.get(aggregate_id)
        if aggregate is None:
            aggregate = load(self._repository, kind, aggregate_id, copy=False, skip_if_busy=True)
            self._read[aggregate_id] = aggregate
        if not isinstance(aggregate, kind):
            raise NotFound(kind_name(kind), aggregate_id)
        return aggregate

    def teams_with_notes_about(self, participant_id: UUID) -> set[UUID]:
        """The teams holding a coaching note about the person (from the log: erasure is rare,
        and no aggregate keeps this list)."""
        store = self._repository.event_store
        topics = [get_topic(CoachingNoteAdded)]
        found, position = set(), 0
        while page := store.recorder.select_notifications(
            position, 1000, topics=topics, inclusive_of_start=False
        ):  # type: ignore[attr-defined]
            for notification in page:
                if f'"about":"{participant_id}"'.encode() in notification.state:
                    found.add(UUID(str(notification.originator_id)))
            position = page[-1].id
        return found

    def exists(self, kind: type[QIAggregate], aggregate_id: UUID) -> bool:
        # Aggregates are never deleted: one in the cache exists, with no query to ask.
        cache = self._repository.cache
        if cache is not None and aggregate_id not in self._loaded:
            try:
                return isinstance(cache.get(aggregate_id), kind)
            except KeyError:
                pass
        try:
            self.read(kind, aggregate_id)
        except NotFound:
            return False
        return True

    def add(self, aggregate: QIAggregate) -> None:
        """Track an aggregate the command created."""
        self._loaded[aggregate.id] = aggregate
        self.mark_created(type(aggregate).__name__, aggregate.id)

    def mark_created(self, kind: str, entity_id: UUID) -> UUID:
        """Report the id of something the command created, e.g. a PDSA cycle; an id the
        client chose must not be in use anywhere (AlreadyExists), and is claimed."""
        if is_client_chosen(entity_id):
            self._claim(kind, entity_id)
        self.created.setdefault(kind, []).append(entity_id)
        return entity_id

    def take_claims(self, ctx: CommandContext, collaborative_id: UUID | None) -> None:
        """Add the claims on the client-chosen ids to what this command saves."""
        for entity_id, kind in self._claims.items():
            claim = IdClaim.take(ctx, kind, entity_id, collaborative_id)
            self._loaded[claim.id] = claim

    def _claim(self, kind: str, entity_id: UUID) -> None:
        if entity_id in self._claims or self.exists(IdClaim, claim_id(entity_id)) or self._stored(entity_id):
            label = "".join(f" {c.lower()}" if c.isupper() else c for c in kind).strip()
            raise AlreadyExists(
                f"the id {entity_id} is already in use; ids you choose must be unique across the engine: "
                f"choose another id for the {label.replace('pdsa', 'PDSA')}, or leave it out and the engine "
                "chooses one"
            )
        self._claims[entity_id] = kind

    def _stored(self, entity_id: UUID) -> bool:
        """Whether a stored aggregate has this id (history from before claims were taken)."""
        try:
            self._repository.get(entity_id)
        except AggregateNotFoundError:
            return False
        return True

    def loaded(self, aggregate_id: UUID) -> QIAggregate:
        return self._loaded[aggregate_id]

    @property
    def aggregates(self) -> list[QIAggregate]:
        return list(self._loaded.values())

    def pending_event_names(self) -> list[str]:
        return [type(e).__name__ for a in self._loaded.values() for e in a.pending_events]

    def _cached_copy(self, aggregate_id: UUID) -> QIAggregate | None:
        cache = self._repository.cache
        if cache is None:
            return None
        try:
            cached = cache.get(aggregate_id)
        except KeyError:
            return None
        return copy.deepcopy(cached)  # type: ignore[no-any-return]

    def _as_expected(self, aggregate: QIAggregate) -> bool:
        """False when the caller's If-Match disagrees with a cached copy: ask the store."""
        if aggregate.id != self._target_id or self._expected_version is None:
            return True
        return aggregate.version == self._expected_version

    def _check_expected_version(self, aggregate: QIAggregate) -> None:
        if aggregate.id != self._target_id or self._expected_version is None:
            return
        if aggregate.version != self._expected_version:
            raise StaleVersion(aggregate.id, self._expected_version, aggregate.version)


def load(
    repository: Repository[Any],
    kind: type[A],
    aggregate_id: UUID,
    copy: bool = True,
    skip_if_busy: bool = False,
) -> A:
    """`skip_if_busy`: when another thread is already bringing the cached aggregate up to
    date, use it as cached rather than wait (for aggregates a command only reads, such as
    the collaborative whose phase every team's command checks)."""
    try:
        aggregate: Any = repository.get(
            aggregate_id, deepcopy_from_cache=copy, fastforward_skipping=skip_if_busy
        )
    except AggregateNotFoundError:
        raise NotFound(kind_name(kind), aggregate_id) from None
    if not isinstance(aggregate, kind):
        raise NotFound(kind_name(kind), aggregate_id)
    return aggregate


class RuleReads:
    """What the authorisation rules read (engine.authorization.Records), through a command's
    unit of work: the team the command changes is loaded once, for the rules and the handler;
    everything else the rules only look at."""

    def __init__(self, uow: UnitOfWork, target_id: UUID | None) -> None:
        self._uow = uow
        self._target_id = target_id

    def team(self, aggregate_id: UUID) -> Team:
        if aggregate_id == self._target_id:
            return self._uow.look_before_change(Team, aggregate_id)
        return self._uow.read(Team, aggregate_id)

    def participant(self, aggregate_id: UUID) -> Participant:
        return self._uow.read(Participant, aggregate_id)

    def collaborative(self, aggregate_id: UUID) -> Collaborative:
        return self._uow.read(Collaborative, aggregate_id)

    def training_module(self, aggregate_id: UUID) -> TrainingModule:
        return self._uow.read(TrainingModule, aggregate_id)
