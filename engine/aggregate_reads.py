"""Aggregates read whole: now, at a version, or as of a past moment; part of QIEngine.

"As of a moment" is the last version whose event happened at or before it, replayed
from the newest snapshot taken before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import takewhile
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate

from aggregates.activity import LearningActivity
from aggregates.base import QIAggregate
from aggregates.collaborative import Collaborative, CollaborativeCreated
from aggregates.kinds import kind_name
from aggregates.participant import Participant
from aggregates.team import Team
from aggregates.training import TrainingModule
from engine.errors import NotFound
from engine.topics import topics_of
from engine.unit_of_work import load

A = TypeVar("A", bound=QIAggregate)


class AggregateReads(Application[UUID]):
    """The aggregate reads of QIEngine."""

    def collaboratives(self) -> list[Collaborative]:
        return [self.collaborative(i) for i in self.created_ids(CollaborativeCreated)]

    def created_ids(self, created_event: type[Any], page: int = 1000) -> list[UUID]:
        """Ids of the aggregates created by events of this type, in creation order."""
        topics = topics_of(created_event)  # its old topic too, if its class moved
        ids: list[UUID] = []
        start: int | None = None
        while True:
            found = self.recorder.select_notifications(
                start, page, topics=topics, inclusive_of_start=start is None
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

    def training_module(self, aggregate_id: UUID) -> TrainingModule:
        return self.get(TrainingModule, aggregate_id)

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
