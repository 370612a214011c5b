"""QIEngine: the eventsourcing Application that runs collaboratives.

`execute(command, ctx)` is the one way to change anything: it finds the
command's handler, lets it decide on the aggregates it loads, and saves their
new events with an idempotency record in one atomic `save()`.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import takewhile
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.persistence import IntegrityError, Mapper
from eventsourcing.utils import get_topic

from aggregates.activity import LearningActivity
from aggregates.base import Actor, CommandContext, QIAggregate
from aggregates.collaborative import Collaborative, CollaborativeCreated
from aggregates.errors import DomainError, RuleViolation
from aggregates.idempotency import CommandRecord, Outcome, record_id
from aggregates.kinds import kind_name, snapshotted
from aggregates.participant import Participant
from aggregates.team import Team
from aggregates.tokens import PREFIX as TOKEN_PREFIX
from aggregates.tokens import ApiToken, Grant, Principal, TokenIssued, actor_id, token_id
from engine.commands import Command
from engine.errors import ConcurrencyConflict, EngineError, IdempotencyKeyReused, NotFound
from engine.group_commit import GroupCommitter
from engine.handlers import HANDLERS
from engine.idempotency import fingerprint
from engine.schema_lock import schema_lock
from engine.serialization import OrjsonTranscoder, PydanticMapper
from engine.settings import Settings
from engine.store_watch import StoreWatch, WatchedEventStore
from engine.topics import register_moved_topics
from engine.unit_of_work import UnitOfWork, load

A = TypeVar("A", bound=QIAggregate)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class QIEngine(Application[UUID]):
    name = "qi"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}

    def __init__(self, settings: Settings | None = None, clock: Clock = utc_now) -> None:
        self.settings = settings or Settings()
        self.clock = clock
        self.snapshotting_intervals = dict.fromkeys(snapshotted(), self.settings.snapshot_interval)  # type: ignore[misc]
        if not self.settings.uses_postgres:
            Path(self.settings.store).parent.mkdir(parents=True, exist_ok=True)
        self.watch = StoreWatch(active=self.settings.uses_postgres)
        with schema_lock(self.settings):  # another process may be creating the tables right now
            super().__init__(env=self.settings.eventsourcing_env())
        self._committer = GroupCommitter(lambda *events: self.save(*events))
        # Striped: commands on one aggregate take turns; unrelated ones rarely share a lock.
        self._turns = [threading.Lock() for _ in range(1024)]

    def construct_mapper(self) -> Mapper[UUID]:
        register_moved_topics()  # events stored before their classes moved to aggregates/
        return PydanticMapper(transcoder=OrjsonTranscoder())

    def context(self, actor: Actor, command_id: str | None = None) -> CommandContext:
        """A command context at the engine clock's now; a fresh command id unless given."""
        return CommandContext(actor=actor, command_id=command_id or str(uuid4()), at=self.clock())

    def execute(self, command: Command, ctx: CommandContext, expected_version: int | None = None) -> Outcome:
        """Run a command once; commands on one aggregate take turns in this process, so
        they wait for each other instead of colliding in the store (see `_run`)."""
        target = command.target_id()
        turn = self._turns[target.int % len(self._turns)] if target is not None else contextlib.nullcontext()
        with turn:
            return self._run(command, ctx, expected_version)

    def construct_event_store(self) -> WatchedEventStore:
        """The library's event store, failing fast while the database is down."""
        return WatchedEventStore(self.watch, self.mapper, self.recorder)

    def construct_snapshot_store(self) -> WatchedEventStore:
        return WatchedEventStore(
            self.watch, self.mapper, self.factory.aggregate_recorder(purpose="snapshots")
        )

    def _run(self, command: Command, ctx: CommandContext, expected_version: int | None) -> Outcome:
        """Run a command once: a retry with the same command id returns the first outcome.

        A retry is found when it collides with the first run's record in the store, or
        when deciding again fails (the first run changed what the rules see); so the
        common first run costs no extra read.

        The first attempt decides on cached copies of the aggregates it changes, without
        asking the store for newer events: if one was stale (another process wrote), its
        save collides on the version and the command is decided once more on fresh state,
        as it is when the first attempt refuses it. A second collision is a conflict.
        """
        for fresh in (False, True):
            try:
                uow, outcome, primary = self._decide(command, ctx, expected_version, fresh)
            except (DomainError, EngineError):
                if not fresh:
                    continue  # refused on cached state: decide again on fresh state first
                previous = self._previous_outcome(command, ctx)
                if previous is not None:
                    return previous
                raise
            uow.take_claims(ctx, primary.collaborative_id)
            record = CommandRecord.accept(
                ctx, command, fingerprint(command), outcome, primary.collaborative_id
            )
            try:
                self._write(uow, record)
            except IntegrityError:
                previous = self._previous_outcome(command, ctx)
                if previous is not None:
                    return previous
                if not fresh:
                    continue
                raise ConcurrencyConflict(
                    f"{kind_name(type(primary))} {outcome.id} was changed by "
                    "another command at the same time; reload and retry"
                ) from None
            return outcome
        raise AssertionError("unreachable: the fresh attempt returns or raises")

    def _write(self, uow: UnitOfWork, record: CommandRecord) -> None:
        """Write the command's events, in a transaction shared with concurrent commands."""
        changed = [(a, a.pending_events[0].originator_version) for a in uow.aggregates if a.pending_events]
        events = [e for a in (*(a for a, _ in changed), record) for e in a.collect_events()]
        self._committer.commit(events)
        for aggregate, first in changed:
            self._cache_written(aggregate)
            self._snapshot_if_due(aggregate, first)

    def _cache_written(self, aggregate: QIAggregate) -> None:
        """The written copy is the stored state: the next command starts from it instead
        of fast-forwarding the older cached instance through these events."""
        cache = self.repository.cache
        if cache is None:
            return
        try:
            cached = cache.get(aggregate.id)
        except KeyError:
            cached = None
        if cached is None or cached.version < aggregate.version:
            cache.put(aggregate.id, aggregate)

    def _snapshot_if_due(self, aggregate: QIAggregate, first_new_version: int) -> None:
        """Snapshot at each multiple of the interval this command's events passed."""
        interval = self.snapshotting_intervals.get(type(aggregate))
        due = aggregate.version - aggregate.version % interval if interval else 0
        if not interval or due < first_new_version:
            return
        if due == aggregate.version and self.snapshots is not None:
            # The aggregate in hand is the saved state: no need to read it back.
            snapshot_class = getattr(type(aggregate), "Snapshot", type(self).snapshot_class)
            self.snapshots.put([snapshot_class.take(aggregate)])
        else:
            self.take_snapshot(aggregate.id, due)

    def _decide(
        self, command: Command, ctx: CommandContext, expected_version: int | None, fresh: bool = True
    ) -> tuple[UnitOfWork, Outcome, QIAggregate]:
        uow = UnitOfWork(self.repository, command.target_id(), expected_version, trust_cache=not fresh)
        addressed = HANDLERS[type(command)](uow, ctx, command)
        primary = uow.loaded(addressed)
        outcome = Outcome(
            id=addressed, version=primary.version, events=uow.pending_event_names(), created=uow.created
        )
        return uow, outcome, primary

    def _previous_outcome(self, command: Command, ctx: CommandContext) -> Outcome | None:
        try:
            record: Any = self.repository.get(record_id(ctx))
        except AggregateNotFoundError:
            return None
        assert isinstance(record, CommandRecord)
        if record.state.fingerprint != fingerprint(command):
            raise IdempotencyKeyReused(
                f"command id {ctx.command_id!r} was already used for a different "
                f"{record.state.command_type} command"
            )
        return record.state.outcome

    # Tokens ------------------------------------------------------------------

    def issue_token(self, grant: Grant, ctx: CommandContext) -> str:
        """Store a new token (hashed) and return its secret, which is shown only once."""
        if grant.expires_at is not None and grant.expires_at <= ctx.at:
            raise RuleViolation(f"a token expiring at {grant.expires_at.isoformat()} would never be valid")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.save(ApiToken.issue(ctx, secret, grant))
        return secret

    def authenticate(self, secret: str) -> Principal | None:
        """The principal behind a token that is neither revoked nor expired, or None."""
        try:
            # Every request of a client presents the same token: while one thread brings the
            # cached token up to date, the others use it as it is instead of queueing
            # behind that query (a revocation is seen from the next request on).
            token: Any = self.repository.get(token_id(secret), fastforward_skipping=True)
        except AggregateNotFoundError:
            return None
        return token.principal() if isinstance(token, ApiToken) and token.valid_at(self.clock()) else None

    def token_still_valid(self, token: UUID) -> bool:
        """Whether a token is neither revoked nor expired, read from the store itself
        (not the cache), so a revocation by another process is seen at once."""
        aggregate: Any = project_aggregate(None, self.events.get(token))
        return isinstance(aggregate, ApiToken) and aggregate.valid_at(self.clock())

    def actor_names(self) -> dict[str, str]:
        """Each token's actor id with the token's name, for display beside the id."""
        return {actor_id(t.id): t.state.name for t in self.tokens()}

    def tokens(self) -> list[ApiToken]:
        return [load(self.repository, ApiToken, i) for i in self.created_ids(TokenIssued)]

    def revoke_token(self, token: UUID, ctx: CommandContext) -> None:
        aggregate = load(self.repository, ApiToken, token)
        aggregate.revoke(ctx)
        self.save(aggregate)

    # Reads -------------------------------------------------------------------

    def collaboratives(self) -> list[Collaborative]:
        return [self.collaborative(i) for i in self.created_ids(CollaborativeCreated)]

    def created_ids(self, created_event: type[Any], page: int = 1000) -> list[UUID]:
        """Ids of the aggregates created by events of this type, in creation order."""
        topic = get_topic(created_event)
        ids: list[UUID] = []
        start: int | None = None
        while True:
            found = self.recorder.select_notifications(
                start, page, topics=[topic], inclusive_of_start=start is None
            )
            ids.extend(UUID(str(n.originator_id)) for n in found)
            if len(found) < page:
                return ids
            start = found[-1].id

    def get(self, kind: type[A], aggregate_id: UUID, as_of: datetime | int | None = None) -> A:
        """An aggregate now, as of a version (int), or as of a moment (datetime)."""
        if as_of is None:
            return load(self.repository, kind, aggregate_id)
        if isinstance(as_of, int):
            return self._at_version(kind, aggregate_id, as_of)
        return self._at_moment(kind, aggregate_id, as_of)

    def collaborative(self, aggregate_id: UUID, as_of: datetime | int | None = None) -> Collaborative:
        return self.get(Collaborative, aggregate_id, as_of)

    def team(self, aggregate_id: UUID, as_of: datetime | int | None = None) -> Team:
        return self.get(Team, aggregate_id, as_of)

    def activity(self, aggregate_id: UUID, as_of: datetime | int | None = None) -> LearningActivity:
        return self.get(LearningActivity, aggregate_id, as_of)

    def participant(self, aggregate_id: UUID, as_of: datetime | int | None = None) -> Participant:
        return self.get(Participant, aggregate_id, as_of)

    def _at_version(self, kind: type[A], aggregate_id: UUID, version: int) -> A:
        if version < 1:
            raise NotFound(f"{kind_name(kind)} version", str(version))
        try:
            aggregate: Any = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(kind_name(kind), aggregate_id) from None
        return _of_kind(kind, aggregate_id, aggregate)

    def _at_moment(self, kind: type[A], aggregate_id: UUID, moment: datetime) -> A:
        """The last version whose event happened at or before `moment`."""
        start: Any = None
        after: int | None = None
        if self.snapshots is not None:
            snapshots: Iterable[Any] = self.snapshots.get(aggregate_id, desc=True)
            for snapshot in snapshots:
                if snapshot.timestamp <= moment:
                    start, after = snapshot.mutate(None), snapshot.originator_version
                    break
        events: Iterable[Any] = self.events.get(aggregate_id, gt=after)
        aggregate: Any = project_aggregate(start, takewhile(lambda e: e.timestamp <= moment, events))
        if aggregate is None:
            raise NotFound(f"{kind_name(kind)} as of {moment.isoformat()}", aggregate_id)
        return _of_kind(kind, aggregate_id, aggregate)


def _of_kind(kind: type[A], aggregate_id: UUID, aggregate: Any) -> A:
    if not isinstance(aggregate, kind):
        raise NotFound(kind_name(kind), aggregate_id)
    return aggregate
