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

This module is the envelope both transports share; how it becomes a Kafka record
is adapters/kafka/records.py.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

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
        return engine.read_mapper.to_domain_event(notification)
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
