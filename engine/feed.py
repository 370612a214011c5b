"""What every subscriber sees: each stored event as a CloudEvent, read in pages
from the notification log.

One envelope for every channel. On Kafka it travels in binary mode (the
attributes as `ce_*` headers, the event's JSON as the value); on the HTTP feed
and the server-sent stream in structured mode (one JSON object, the event under
`data`). The id is the same everywhere, so a consumer can deduplicate across
channels and across re-deliveries.

Every event names its schema (`dataschema`: its `$defs` entry in /schemas/events,
under QI_PUBLIC_URL when set, else under that document's `$id`) and carries its
log position as the extension attribute `position` (the `ce_position` header on
Kafka), so a consumer of both transports can correlate them.

The headers are written here rather than with the `cloudevents` SDK: its Kafka
binding builds a CloudEvent object per message and re-encodes `data` through
its own marshaller, where we already hold the orjson bytes; nine headers are
clearer spelled out than configured. The tests read them back with the SDK.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from engine.application import QIEngine
    from engine.settings import Settings

SPECVERSION = "1.0"
TYPE_PREFIX = "org.qi."
CONTENT_TYPE = "application/json"
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
# The `$id` of the events' JSON Schema document (served at SCHEMAS_PATH).
SCHEMA_ID = "urn:qi-engine:schemas:events"
SCHEMAS_PATH = "/schemas/events"
MAX_PAGE = 1000


class FeedEvent(BaseModel):
    """One stored event as a CloudEvent (structured mode), with its position in the log."""

    specversion: str = SPECVERSION
    id: str = Field(description="unique and stable per event: `<aggregate id>:<version>`")
    source: str
    type: str = Field(description="`org.qi.<EventClass>`, e.g. org.qi.PhaseAdvanced")
    subject: str = Field(description="the aggregate the event belongs to")
    time: datetime | None = Field(description="when the event happened (absent for an UndecodableRecord)")
    datacontenttype: str = CONTENT_TYPE
    dataschema: str = Field(
        description="the event type's schema: its `$defs` entry in /schemas/events, e.g. "
        "`urn:qi-engine:schemas:events#/$defs/PhaseAdvanced` (under QI_PUBLIC_URL when set)"
    )
    partitionkey: str = Field(description="the collaborative id (the aggregate id when there is none)")
    position: int = Field(description="the event's position in the notification log (ids may skip)")
    data: dict[str, Any] = Field(description="the event, as its JSON Schema in /schemas/events describes")


class FeedPage(BaseModel):
    """A page of the feed; ask again with `after=next_after` for the next one."""

    events: list[FeedEvent]
    next_after: int
    head: int = Field(description="the last position in the log when the page was read")


def event_id(originator_id: UUID | str, originator_version: int) -> str:
    return f"{originator_id}:{originator_version}"


def event_type(event_class: type[Any]) -> str:
    return TYPE_PREFIX + event_class.__name__


def read_feed(engine: QIEngine, after: int, limit: int) -> list[FeedEvent]:
    """Up to `limit` events after position `after`, in log order."""
    notifications = engine.recorder.select_notifications(
        after, min(limit, MAX_PAGE), inclusive_of_start=False
    )
    settings = engine.settings
    schemas = schemas_uri(settings)
    return [_feed_event(n.id, _decoded(engine, n), settings.event_source, schemas) for n in notifications]


def schemas_uri(settings: Settings) -> str:
    """Where the events' schemas are: a URL under QI_PUBLIC_URL, else the document's `$id`."""
    return settings.public_url + SCHEMAS_PATH if settings.public_url else SCHEMA_ID


class UndecodableRecord(BaseModel):
    """Stands in the feed for a stored record the engine cannot decode (damaged in the
    database, or of a type this version does not know), so the feed and the Kafka relay
    never stop at it; the audit trail names it too (`qi audit verify`)."""

    originator_id: UUID
    originator_version: int
    topic: str
    sha256: str = Field(description="of the stored bytes, to compare with a backup")
    error: str


def _decoded(engine: QIEngine, notification: Any) -> Any:
    try:
        return engine.mapper.to_domain_event(notification)
    except Exception as exc:  # whatever a damaged record raises, it is that record's fault
        return UndecodableRecord(
            originator_id=notification.originator_id,
            originator_version=notification.originator_version,
            topic=notification.topic,
            sha256=hashlib.sha256(bytes(notification.state)).hexdigest(),
            error=f"{type(exc).__name__}: {str(exc).splitlines()[0]}"[:500],
        )


def read_page(engine: QIEngine, after: int, limit: int) -> FeedPage:
    head = engine.recorder.max_notification_id() or 0
    events = read_feed(engine, after, limit)
    return FeedPage(events=events, next_after=events[-1].position if events else after, head=head)


def _feed_event(position: int, event: Any, source: str, schemas: str) -> FeedEvent:
    data: dict[str, Any] = event.model_dump(mode="json")
    return FeedEvent(
        id=event_id(event.originator_id, event.originator_version),
        source=source,
        type=event_type(type(event)),
        dataschema=f"{schemas}#/$defs/{type(event).__name__}",
        subject=str(event.originator_id),
        time=getattr(event, "timestamp", None),
        partitionkey=str(getattr(event, "collaborative_id", None) or event.originator_id),
        position=position,
        data=data,
    )


def kafka_headers(event: FeedEvent) -> list[tuple[str, bytes]]:
    """CloudEvents Kafka binding, binary mode: the attributes as `ce_*` headers (the
    `position` extension too; `partitionkey` is the record's key)."""
    headers = [
        ("ce_specversion", SPECVERSION.encode()),
        ("ce_id", event.id.encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", rfc3339(event.time).encode()) if event.time is not None else None,
        ("ce_subject", event.subject.encode()),
        ("ce_dataschema", event.dataschema.encode()),
        ("ce_position", str(event.position).encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    return [h for h in headers if h is not None]


def kafka_value(event: FeedEvent) -> bytes:
    return orjson.dumps(event.data)


def rfc3339(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Deduplicator:
    """Remembers the most recent event ids, so a re-delivered event is seen once.

    Bounded, because a relay re-sends at most a batch or two; a consumer whose
    effects must survive its own restart keeps the ids (or each aggregate's last
    version) with those effects, in one transaction.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        if event_id in self._seen:
            self._seen.move_to_end(event_id)
            return False
        self._seen[event_id] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True


@dataclass(frozen=True)
class Received:
    """A record read back from the topic: its CloudEvents headers, key, place and event."""

    headers: dict[str, str]
    key: str
    partition: int
    offset: int
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.headers["ce_id"]


@dataclass
class Consumed:
    received: int = 0
    handled: int = 0

    @property
    def duplicates(self) -> int:
        return self.received - self.handled


def consume(
    settings: Settings,
    group: str,
    handle: Callable[[Received], None],
    stop: threading.Event,
    idle_exit: float | None = None,
) -> Consumed:
    """The example consumer: join `group`, hand each event to `handle` once (deduplicated by
    `ce_id`), commit offsets after handling; stop on `stop`, or after `idle_exit` quiet seconds."""
    from kafka import KafkaConsumer  # type: ignore[import-untyped]

    assert settings.kafka_bootstrap, "Kafka is off: set QI_KAFKA_BOOTSTRAP"
    consumer = KafkaConsumer(
        settings.kafka_topic,
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        group_id=group,
        enable_auto_commit=False,  # committed after handling: a crash re-reads, never skips
        auto_offset_reset="earliest",
    )
    try:
        return _consume_loop(consumer, handle, stop, idle_exit)
    finally:
        consumer.close()


def _consume_loop(
    consumer: Any, handle: Callable[[Received], None], stop: threading.Event, idle_exit: float | None
) -> Consumed:
    dedup, done = Deduplicator(), Consumed()
    last_seen: float | None = None
    while not stop.is_set():
        polled = consumer.poll(timeout_ms=200)
        for record in (r for records in polled.values() for r in records):
            event = received(record)
            done.received += 1
            if dedup.first_time(event.id):
                handle(event)
                done.handled += 1
        if polled:
            consumer.commit()
            last_seen = time.monotonic()
        elif idle_exit is not None and last_seen is not None and time.monotonic() - last_seen > idle_exit:
            break
    return done


def received(record: Any) -> Received:
    """A kafka-python ConsumerRecord as the envelope it carries."""
    return Received(
        headers={name: value.decode() for name, value in record.headers},
        key=record.key.decode(),
        partition=record.partition,
        offset=record.offset,
        data=orjson.loads(record.value),
    )
