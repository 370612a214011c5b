"""A collaborative's credit as it stood at a moment: the awards recorded by then and not
reversed by then, and the learners' and activities' accreditor ids as recorded by then.

Everything an accreditor's file or the credit check is made of comes from here, so either,
made again for the same moment, is the same whenever it is made: a birthday added or an
activity id recorded later counts from the moment it was recorded, not before."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from aggregates.activity_ids import ActivityIds
from aggregates.learner_ids import LearnerIds
from projections.base import Opener, Tx
from projections.credits.queries import credit_rows
from projections.credits.schemas import CreditRow
from projections.credits.tables import ACTIVITIES, ACTIVITY_IDS, DISCIPLINES, ENTRIES, LEARNER_IDS


@dataclass(frozen=True)
class Activity:
    """A CE activity as the files name it."""

    title: str
    activity_date: date
    ids: ActivityIds | None


@dataclass(frozen=True)
class CreditThen:
    collaborative_id: UUID
    as_of: datetime
    awards: list[CreditRow]  # standing at `as_of`, in ledger order
    learners: dict[UUID, LearnerIds | None]  # every awarded learner's ids as recorded by then
    activities: dict[UUID, Activity]  # every CE activity of the collaborative, its ids by then
    disciplines: dict[UUID, str]  # each learner's discipline in the collaborative

    @property
    def activity_ids(self) -> dict[UUID, ActivityIds | None]:
        """Each activity's accreditor ids by then, as the check takes them."""
        return {activity_id: activity.ids for activity_id, activity in self.activities.items()}


def standing(rows: Iterable[CreditRow], as_of: datetime) -> list[CreditRow]:
    """The awards recorded by `as_of` and not reversed by then, in ledger order."""
    known = [r for r in rows if r.recorded_at <= as_of]
    reversed_ids = {r.reverses for r in known if r.reverses}
    return [r for r in known if r.reverses is None and r.amount > 0 and r.entry_id not in reversed_ids]


def credit_then(tx: Tx, collaborative_id: UUID, as_of: datetime, opener: Opener) -> CreditThen:
    """The collaborative's credit as of `as_of`; `opener` opens the learners' ids (sealed)."""
    cid = str(collaborative_id)
    awards = standing(credit_rows(tx, collaborative_id, opener), as_of)
    people = {a.participant_id for a in awards}
    learners: dict[UUID, LearnerIds | None] = dict.fromkeys(sorted(people, key=str))
    for participant_id, stored in _latest(
        tx.fetchall(
            f"SELECT participant_id, recorded_at, learner FROM {LEARNER_IDS} WHERE participant_id IN "
            f"(SELECT DISTINCT participant_id FROM {ENTRIES} WHERE collaborative_id = ?) "
            "ORDER BY participant_id, source_position",
            (cid,),
        ),
        as_of,
    ).items():
        if UUID(participant_id) in people:
            learners[UUID(participant_id)] = _opened(stored, opener)
    ids = _latest(
        tx.fetchall(
            f"SELECT h.activity_id, h.recorded_at, h.accreditor FROM {ACTIVITY_IDS} h "
            f"JOIN {ACTIVITIES} a ON a.activity_id = h.activity_id WHERE a.collaborative_id = ? "
            "ORDER BY h.activity_id, h.source_position",
            (cid,),
        ),
        as_of,
    )
    activities = {
        UUID(activity_id): Activity(title, date.fromisoformat(day), _ids(ids.get(activity_id)))
        for activity_id, title, day in tx.fetchall(
            f"SELECT activity_id, title, activity_date FROM {ACTIVITIES} WHERE collaborative_id = ?", (cid,)
        )
    }
    disciplines = {
        UUID(participant_id): discipline
        for participant_id, discipline in tx.fetchall(
            f"SELECT participant_id, discipline FROM {DISCIPLINES} WHERE collaborative_id = ?", (cid,)
        )
    }
    return CreditThen(collaborative_id, as_of, awards, learners, activities, disciplines)


def _latest(rows: list[tuple[Any, ...]], as_of: datetime) -> dict[str, str | None]:
    """Per key, the last value recorded by `as_of` (the rows come in recording order)."""
    found: dict[str, str | None] = {}
    for key, recorded_at, value in rows:
        if datetime.fromisoformat(recorded_at) <= as_of:
            found[key] = value
    return found


def _ids(stored: str | None) -> ActivityIds | None:
    return ActivityIds.model_validate(orjson.loads(stored)) if stored else None


def _opened(stored: str | None, opener: Opener) -> LearnerIds | None:
    opened: Any = opener(orjson.loads(stored)) if stored else None
    return LearnerIds.model_validate(opened) if opened else None
