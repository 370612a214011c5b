"""Which values are personal data, in one place, and what they become at rest.

A field is personal when its type carries a `Personal` mark (pydantic's Annotated
metadata): the name, credentials, email and licences of a person, what a person
attested, and the free text a coach writes about a team or a person. The engine seals
each marked value when it stores an event or a snapshot (AES-GCM under a key of the
person it belongs to: engine.personal_data), so the event store, the snapshots, the
read models, the audit trail, the feed and Kafka hold `Sealed` values only; the
command side opens them again when it loads an aggregate, and reads open them for
those allowed to see them. Erasing a person destroys their key: every copy of every
sealed value of theirs, wherever it went, becomes unreadable at once, and reads show
the mark's `erased` value instead.

So a personal field's type admits `Sealed` beside its own (`Name | Sealed`): the read
side sees the sealed form, the command side the open one.
"""

from __future__ import annotations

import functools
import types
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.base import Value

ERASED_PERSON = "erased person"
T = TypeVar("T")
ERASED_TEXT = "(erased)"


class Keep(StrEnum):
    """How long a personal value outlives its person's erasure."""

    AT_ONCE = "at_once"  # erased with the person
    CE_RECORD = (
        "ce_record"  # what accreditors oblige a provider to keep: name and licences, for the retention period
    )


@dataclass(frozen=True)
class Personal:
    """The mark of a personal field. `erased` is what reads show once it is erased;
    `subject` names a sibling field holding the person it is about (when empty or
    absent, the value is the aggregate's own: its person, or its team)."""

    keep: Keep = Keep.AT_ONCE
    erased: Any = None
    subject: str | None = None


class Sealed(Value):
    """A personal value as stored: AES-GCM ciphertext of its JSON under its person's key."""

    sealed: str = Field(description="base64url of nonce, ciphertext and tag; only the engine can open it")
    key: UUID = Field(description="the data key that sealed it (erased with its person)")


@dataclass(frozen=True)
class PersonalField:
    """Where a personal value sits in a model's JSON: keys of objects, `*` for every item
    of an array, `{}` for every value of an object used as a mapping."""

    path: tuple[str, ...]
    mark: Personal

    @property
    def subject_path(self) -> tuple[str, ...] | None:
        """The path of the field naming the value's person, beside the value (or None)."""
        if self.mark.subject is None:
            return None
        return (*self.path[:-1], self.mark.subject)


@functools.cache
def personal_fields(model: type[BaseModel]) -> tuple[PersonalField, ...]:
    """Every personal field of `model`, nested models included (empty for most events)."""
    found: list[PersonalField] = []
    for name, info in model.model_fields.items():
        mark = _mark(info.metadata)
        if mark is not None:
            found.append(PersonalField((name,), mark))
        else:
            found.extend(_within(info.annotation, (name,)))
    return tuple(found)


def _mark(metadata: Any) -> Personal | None:
    return next((m for m in metadata if isinstance(m, Personal)), None)


def _within(annotation: Any, path: tuple[str, ...]) -> list[PersonalField]:
    """Personal fields inside a value of type `annotation` found at `path`."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        mark = _mark(metadata)
        return [PersonalField(path, mark)] if mark is not None else _within(inner, path)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [PersonalField((*path, *f.path), f.mark) for f in personal_fields(annotation)]
    if origin in (Union, types.UnionType):
        return [f for arg in get_args(annotation) for f in _within(arg, path)]
    if origin in (tuple, list, set, frozenset):
        return [f for arg in get_args(annotation) if arg is not Ellipsis for f in _within(arg, (*path, "*"))]
    if origin is dict:
        _, value = get_args(annotation)
        return _within(value, (*path, "{}"))
    return []


def is_sealed(value: Any) -> bool:
    """Whether `value` (a model's field, or its JSON) is a sealed personal value."""
    return isinstance(value, Sealed) or (
        isinstance(value, dict) and value.keys() == {"sealed", "key"} and isinstance(value["sealed"], str)
    )


def opened(value: T | Sealed, erased: T) -> T:
    """The open value, or `erased` if it is still sealed (its person was erased, or the
    read side handed it over unopened)."""
    return erased if isinstance(value, Sealed) else value
