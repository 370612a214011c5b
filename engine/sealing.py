"""Sealing and opening the personal values inside a stored event's or snapshot's JSON.

Which values are personal, the domain says (aggregates.personal); the keys and the
cipher are engine.personal_data's. Here the two meet: the mapper hands over the JSON
state of an event (or a snapshot) with the paths of its personal fields, and each value
found there is replaced by its sealed form, or by its opened one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic
from pydantic import BaseModel

from aggregates.base import QISnapshot
from aggregates.personal import Keep, PersonalField, is_sealed, personal_fields
from engine.personal_data import Sealer

SNAPSHOT_STATE = ("state", "state")  # where a QISnapshot keeps its aggregate's state


def fields_of(cls: type[Any], state: dict[str, Any]) -> tuple[PersonalField, ...]:
    """The personal fields of an event class; of a snapshot, its aggregate state's."""
    if issubclass(cls, QISnapshot):
        aggregate = resolve_topic(state["topic"]) if isinstance(state.get("topic"), str) else None
        model = getattr(aggregate, "State", None)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return ()
        return tuple(PersonalField((*SNAPSHOT_STATE, *f.path), f.mark) for f in personal_fields(model))
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return personal_fields(cls)
    return ()


Slot = tuple[Any, Any, dict[str, Any] | None]  # container, key in it, the object whose field it is


def _slots(node: Any, path: tuple[str, ...]) -> Iterator[Slot]:
    """Every place `path` reaches in `node`: `*` is each item of a list, `{}` each value of
    a mapping, anything else a field of an object (whose siblings name the subject)."""
    head, rest = path[0], path[1:]
    if head == "*":
        items: list[tuple[Any, Any]] = list(enumerate(node)) if isinstance(node, list) else []
    elif head == "{}":
        items = list(node.items()) if isinstance(node, dict) else []
    else:
        items = [(head, node[head])] if isinstance(node, dict) and head in node else []
    for key, value in items:
        if rest:
            yield from _slots(value, rest)
        else:
            yield node, key, node if head not in ("*", "{}") else None


def _subject(field: PersonalField, owner: dict[str, Any] | None, default: UUID) -> UUID:
    if field.mark.subject and owner is not None and owner.get(field.mark.subject):
        return UUID(str(owner[field.mark.subject]))
    return default


def seal_state(
    state: dict[str, Any],
    fields: tuple[PersonalField, ...],
    subject: UUID,
    at: datetime,
    sealer: Sealer,
    creates_subject: bool = False,
) -> None:
    """Replace every personal value in `state` by its sealed form, in place. A value of a
    person already erased is stored as its mark's `erased` value: nothing of theirs is
    sealed again. `creates_subject`: this is the first event of `subject` (the aggregate
    the event belongs to), so it has no data keys yet. The values are sealed a person and
    a kind of key at a time: one key lookup for all of them."""
    groups: dict[tuple[UUID, Keep], list[tuple[Any, Any, PersonalField]]] = {}
    for field in fields:
        for container, key, owner in list(_slots(state, field.path)):
            value = container[key]
            if value in (None, "", [], {}) or is_sealed(value):
                continue
            groups.setdefault((_subject(field, owner, subject), field.mark.keep), []).append(
                (container, key, field)
            )
    for (whose, keep), places in groups.items():
        new = creates_subject and whose == subject
        sealed = sealer.seal_all(whose, keep, [container[key] for container, key, _ in places], at, new)
        for index, (container, key, field) in enumerate(places):
            container[key] = sealed[index] if sealed is not None else _json(field.mark.erased)


def holds_plain(state: dict[str, Any], fields: tuple[PersonalField, ...]) -> bool:
    """Whether any personal value in `state` is in plain text (stored before sealing)."""
    return any(
        container[key] not in (None, "", [], {}) and not is_sealed(container[key])
        for field in fields
        for container, key, _ in _slots(state, field.path)
    )


def open_state(
    state: dict[str, Any],
    fields: tuple[PersonalField, ...],
    opener: Callable[[dict[str, str]], tuple[bool, Any]],
) -> None:
    """Replace every sealed value in `state` by its open form (or its mark's `erased`), in place."""
    for field in fields:
        for container, key, _ in list(_slots(state, field.path)):
            value = container[key]
            if is_sealed(value):
                ok, opened = opener(value)
                container[key] = opened if ok else _json(field.mark.erased)


def open_everywhere(node: Any, opener: Callable[[dict[str, str]], tuple[bool, Any]], erased: Any) -> Any:
    """`node` (any JSON) with every sealed value in it opened, or `erased` where it cannot be:
    for views of whole payloads (the audit explorer), whatever their event type."""
    if is_sealed(node):
        ok, opened = opener(node)
        return opened if ok else erased
    if isinstance(node, dict):
        return {k: open_everywhere(v, opener, erased) for k, v in node.items()}
    if isinstance(node, list):
        return [open_everywhere(v, opener, erased) for v in node]
    return node


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
