"""QIEngine: the eventsourcing Application that runs collaboratives.

`submit(principal, command)` is how a caller changes anything: the engine
authorises the command for the principal, finds its handler in the one table of
handlers, lets it decide on the aggregates it loads, and saves their new events
with an idempotency record in one atomic `save()`. `execute(command, ctx)` does
the same for trusted callers (demo seeding, benchmarks, tests) without the check.

Tokens (engine/api_tokens.py) and whole-aggregate reads, also as of a past moment
(engine/aggregate_reads.py), are the engine's too, each in its own module.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper

from aggregates.base import Actor, CommandContext, QIAggregate
from aggregates.errors import DomainError
from aggregates.idempotency import CommandRecord, CommandResult, record_id
from aggregates.kinds import kind_name, snapshotted
from aggregates.personal import is_sealed
from aggregates.tokens import Principal
from engine.accounts import Accounts
from engine.api_tokens import Tokens
from engine.authorization import authorize_command
from engine.commands import Command
from engine.commands.activity import ErasePerson
from engine.erasure import Erasures
from engine.errors import ConcurrencyConflict, EngineError, IdempotencyKeyReused
from engine.group_commit import GroupCommitter
from engine.handlers import HANDLERS
from engine.idempotency import fingerprint
from engine.keyed_recorders import PostgresKeyedRecorder, SQLiteKeyedRecorder, recorder_topic
from engine.personal_data import DataKeys, Sealer
from engine.schema_lock import schema_lock
from engine.serialization import OrjsonTranscoder, PydanticMapper
from engine.settings import Settings
from engine.store_watch import StoreWatch, WatchedEventStore
from engine.topics import register_moved_topics
from engine.unit_of_work import RuleReads, UnitOfWork

A = TypeVar("A", bound=QIAggregate)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class QIEngine(Tokens):
    name = "qi"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}

    def __init__(self, settings: Settings | None = None, clock: Clock = utc_now) -> None:
        self.settings = settings or Settings()
        self.clock = clock
        self.snapshotting_intervals = dict.fromkeys(snapshotted(), self.settings.snapshot_interval)  # type: ignore[misc]
        if not self.settings.uses_postgres:
            Path(self.settings.store).parent.mkdir(parents=True, exist_ok=True)
        self.watch = StoreWatch(self.settings.store)
        with schema_lock(self.settings):  # another process may be creating the tables right now
            self.data_keys = DataKeys(self.settings)
            env = self.settings.eventsourcing_env()
            env["APPLICATION_RECORDER_TOPIC"] = recorder_topic(self.settings.uses_postgres)
            super().__init__(env=env)
        # The read side's mapper: personal values stay sealed (projections, the feed).
        self.read_mapper = PydanticMapper(transcoder=OrjsonTranscoder(), opens=False)
        self.sealer = Sealer(self.data_keys)
        self.erasures = Erasures(self)
        self._committer = GroupCommitter(self._save_sealed)
        # Striped: commands on one aggregate take turns; unrelated ones rarely share a lock.
        self._turns = [threading.Lock() for _ in range(1024)]

    @functools.cached_property
    def accounts(self) -> Accounts:
        """People's accounts (made on first use: its password hasher costs a hash to set up)."""
        return Accounts(self)

    def actor_names(self) -> dict[str, str]:
        """Each actor id with a name to show beside it: people's accounts and API tokens."""
        return super().actor_names() | self.accounts.actor_names()

    def close(self) -> None:
        super().close()
        self.erasures.close()
        if "accounts" in self.__dict__:
            self.accounts.close()
        self.data_keys.close()

    def open_personal(self, stored: Any, ce_record: bool = False) -> Any:
        """A personal value as the read side holds it (sealed JSON, or plain), opened; None
        once erased (or, unless `ce_record`, once its person was erased)."""
        if not is_sealed(stored):
            return stored
        ok, value = self.sealer.open(stored, ce_record)
        return value if ok else None

    def construct_recorder(self) -> ApplicationRecorder:
        recorder = super().construct_recorder()
        if isinstance(recorder, SQLiteKeyedRecorder | PostgresKeyedRecorder):
            recorder.data_keys = self.data_keys  # new data keys go in the events' transaction
        return recorder

    def _save_sealed(self, *events: Any) -> Any:
        """Save, with the data keys the events' personal values need first written in the
        same transaction (engine.keyed_recorders)."""
        with self.data_keys.deferred():
            return self.save(*events)

    def construct_mapper(self) -> Mapper[UUID]:
        register_moved_topics()  # events stored before their classes moved to aggregates/
        return PydanticMapper(transcoder=OrjsonTranscoder(), sealer=Sealer(self.data_keys))

    def context(self, actor: Actor, command_id: str | None = None) -> CommandContext:
        """A command context at the engine clock's now; a fresh command id unless given."""
        return CommandContext(actor=actor, command_id=command_id or str(uuid4()), at=self.clock())

    def submit(
        self,
        principal: Principal,
        command: Command,
        command_id: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Run a caller's command once, if their role and scope allow it (Forbidden if not)."""
        ctx = self.context(principal.actor, command_id)
        return self._reacted(command, self._in_turn(command, ctx, expected_version, principal))

    def execute(
        self, command: Command, ctx: CommandContext, expected_version: int | None = None
    ) -> CommandResult:
        """Run a trusted caller's command once: no role or scope is checked."""
        return self._reacted(command, self._in_turn(command, ctx, expected_version, None))

    def _reacted(self, command: Command, result: CommandResult) -> CommandResult:
        """What the engine does at once after a command is stored, before answering: an
        erasure destroys the person's keys (the erasure sweep would, at its next round)."""
        if isinstance(command, ErasePerson):
            self.erasures.apply_stored()
        return result

    def _in_turn(
        self, command: Command, ctx: CommandContext, expected_version: int | None, principal: Principal | None
    ) -> CommandResult:
        """Commands on one aggregate take turns in this process, so they wait for each
        other instead of colliding in the store (see `_run`)."""
        target = command.target_id()
        turn = self._turns[target.int % len(self._turns)] if target is not None else contextlib.nullcontext()
        with turn:
            return self._run(command, ctx, expected_version, principal)

    def after_commit(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after each commit of commands (the projector); returns its unsubscriber."""
        return self._committer.on_commit(listener)

    def construct_event_store(self) -> WatchedEventStore:
        """The library's event store, failing fast while the database is down."""
        return WatchedEventStore(self.watch, self.mapper, self.recorder)

    def construct_snapshot_store(self) -> WatchedEventStore:
        return WatchedEventStore(
            self.watch, self.mapper, self.factory.aggregate_recorder(purpose="snapshots")
        )

    def _run(
        self, command: Command, ctx: CommandContext, expected_version: int | None, principal: Principal | None
    ) -> CommandResult:
        """Run a command once: a retry with the same command id returns the first outcome.

        A retry is found when it collides with the first run's record in the store, or
        when deciding again fails (the first run changed what the rules see); so the
        common first run costs no extra read.

        The first attempt decides on cached copies of the aggregates it changes, without
        asking the store for newer events: if one was stale (another process wrote), its
        save collides on the version and the command is decided once more on fresh state,
        as it is when the first attempt refuses it. A second collision is a conflict.
        A caller's command is authorised in each attempt, on what that attempt loads.
        """
        for fresh in (False, True):
            uow = UnitOfWork(
                self.repository,
                command.target_id(),
                expected_version,
                trust_cache=not fresh,
                settings=self.settings,
            )
            if principal is not None and not self._allows(principal, command, uow, fresh):
                continue  # refused on cached state: judge again on fresh state
            try:
                outcome, primary = self._decide(uow, command, ctx)
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

    def _allows(self, principal: Principal, command: Command, uow: UnitOfWork, fresh: bool) -> bool:
        """Whether the caller may send the command, judged on what the unit of work loads.
        A refusal is raised as it is, never answered with an earlier outcome of the same
        command id; on cached state it is judged again on fresh state first."""
        try:
            authorize_command(principal, command, RuleReads(uow, command.target_id()))
        except (DomainError, EngineError):
            if fresh:
                raise
            return False
        return True

    def _decide(
        self, uow: UnitOfWork, command: Command, ctx: CommandContext
    ) -> tuple[CommandResult, QIAggregate]:
        addressed = HANDLERS[type(command)](uow, ctx, command)
        primary = uow.loaded(addressed)
        outcome = CommandResult(
            id=addressed, version=primary.version, events=uow.pending_event_names(), created=uow.created
        )
        return outcome, primary

    def _previous_outcome(self, command: Command, ctx: CommandContext) -> CommandResult | None:
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
