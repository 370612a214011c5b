"""How events become stored bytes: pydantic turns an event into JSON-ready data,
orjson turns that into bytes. Plugged into eventsourcing by `construct_mapper()`.

Personal values are sealed on the way in (engine.sealing): the stored bytes, and so
everything read from them, hold ciphertext. The command side's mapper (`opens=True`)
opens them again on the way out, so aggregates see open values; the read side's
(projections, the feed) leaves them sealed, for reads to open for whoever may see them.

eventsourcing 9.5.6 ships no pydantic mapper, so this is ours. Loading validates
through the event's pydantic model, which turns orjson's strings back into UUIDs,
datetimes and enums, after running any `upcast_vN_vN+1` steps for old versions.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from aggregates.base import QISnapshot
from engine.personal_data import Sealer
from engine.sealing import fields_of, open_state, seal_state

_IDENTITY = {"originator_id", "originator_version"}
_SEALED = b'"sealed":'


class OrjsonTranscoder(Transcoder):
    """JSON bytes via orjson; values are already JSON-ready when they arrive."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


class PydanticMapper(Mapper[Any]):
    def __init__(self, transcoder: Transcoder, sealer: Sealer | None = None, opens: bool = True) -> None:
        super().__init__(transcoder=transcoder)
        self.sealer = sealer  # None: a mapper that only reads, and opens nothing
        self.opens = opens

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        event = cast(BaseModel, domain_event)
        state = event.model_dump(mode="json", exclude=_IDENTITY)
        if self.sealer is not None and (fields := fields_of(type(event), state)):
            at = event.timestamp
            creates = domain_event.originator_version == 1 and not isinstance(event, QISnapshot)
            seal_state(state, fields, domain_event.originator_id, at, self.sealer, creates)
        class_version = getattr(type(event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        data = self.transcoder.encode(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(event)),
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        data = stored_event.state
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        cls = resolve_topic(stored_event.topic)
        opening = self.opens and self.sealer is not None and _SEALED in data
        if (
            not opening
            and getattr(cls, "class_version", 1) == 1
            and len(data) > 2
            and b'"class_version"' not in data
        ):
            # The common case: pydantic parses and validates the bytes in one pass (in Rust),
            # with the identity fields, which are not stored in the state, spliced in front.
            identity = b'{"originator_id":"%s","originator_version":%d,' % (
                str(stored_event.originator_id).encode(),
                stored_event.originator_version,
            )
            return cast(DomainEventProtocol[Any], cls.model_validate_json(identity + data[1:]))
        state = upcast(cls, self.transcoder.decode(data))
        if opening:
            assert self.sealer is not None
            open_state(state, fields_of(cls, state), self.sealer.open)
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        return cast(DomainEventProtocol[Any], cls.model_validate(state))


def upcast(cls: type[Any], state: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored event's state from its recorded version to the class's."""
    target = getattr(cls, "class_version", 1)
    version = state.pop("class_version", 1)
    while version < target:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state
