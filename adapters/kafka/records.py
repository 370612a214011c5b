"""How a feed event becomes a Kafka record: the CloudEvents Kafka binding, binary mode.

The key is the event's `partitionkey` (the collaborative id), so one collaborative's
events keep their order on one partition; the value is the event's JSON; the
attributes travel as `ce_*` headers, the `position` extension too.

The headers are written here rather than with the `cloudevents` SDK: its Kafka
binding builds a CloudEvent object per message and re-encodes `data` through
its own marshaller, where we already hold the orjson bytes; nine headers are
clearer spelled out than configured. The tests read them back with the SDK.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from engine.feed import CONTENT_TYPE, SPECVERSION, FeedEvent


def kafka_key(event: FeedEvent) -> bytes:
    return event.partitionkey.encode()


def kafka_value(event: FeedEvent) -> bytes:
    return orjson.dumps(event.data)


def kafka_headers(event: FeedEvent) -> list[tuple[str, bytes]]:
    """The attributes as `ce_*` headers (`partitionkey` is the record's key)."""
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


def rfc3339(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
