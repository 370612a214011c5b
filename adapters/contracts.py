"""Contracts generated from the code, so they cannot drift from it: a JSON Schema
for every event type (from the pydantic event classes) and the AsyncAPI 3
document of the Kafka topic the relay publishes to.

Event classes are discovered, not listed: every subclass of `QIEvent` in the
`aggregates` package, where every stored event is defined, that is applied to an
aggregate (abstract bases such as `CollaborativeEvent` apply nothing and are left out).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path
from typing import Any, get_args

import orjson
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from aggregates.base import QIEvent
from aggregates.personal import Sealed, personal_fields
from engine.feed import CONTENT_TYPE, SCHEMA_ID, SPECVERSION, UndecodableRecord, event_type
from engine.settings import Settings

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
CONTRACT_VERSION = "1.0.0"
KAFKA_BINDING = "0.5.0"
EVENTS_FILE = "events.schema.json"
ASYNCAPI_FILE = "asyncapi.json"


@cache
def event_classes() -> dict[str, type[QIEvent]]:
    """Every event type the engine can store, by class name."""
    _import_all("aggregates")
    found: dict[str, type[QIEvent]] = {}
    for cls in _subclasses(QIEvent):
        if "apply" not in cls.__dict__ and cls.__subclasses__():
            continue  # an abstract base: nothing is ever stored as this type
        if found.setdefault(cls.__name__, cls) is not cls:
            raise ValueError(f"two event classes are named {cls.__name__}: their ce_type would collide")
    return dict(sorted(found.items()))


def payload_classes() -> dict[str, type[BaseModel]]:
    """What a record's value can be: every event type, and the stand-in for a stored
    record that no longer decodes."""
    return {**event_classes(), UndecodableRecord.__name__: UndecodableRecord}


def _import_all(package: str) -> None:
    root = importlib.import_module(package)
    for module in pkgutil.iter_modules(root.__path__, f"{package}."):
        importlib.import_module(module.name)
        if module.ispkg:
            _import_all(module.name)


def _subclasses(cls: type[Any]) -> list[type[Any]]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))]


def _schemas(ref_template: str) -> dict[str, Any]:
    """The events' schemas and everything they refer to, keyed by name."""
    classes = payload_classes()
    _, top = models_json_schema([(c, "serialization") for c in classes.values()], ref_template=ref_template)
    defs: dict[str, Any] = top["$defs"]
    for name, cls in classes.items():
        defs[name]["x-cloudevents-type"] = event_type(cls)
    _sealed_for_subscribers(defs, ref_template)
    return defs


SEALED_NOTE = (
    "personal data, sealed (AES-GCM under its person's key): subscribers receive the ciphertext "
    "and cannot read it; the engine opens it for those allowed, and erasing the person makes it "
    "unreadable everywhere"
)


def _sealed_for_subscribers(defs: dict[str, Any], ref_template: str) -> None:
    """Every personal field reaches subscribers sealed: its schema says so. Only what holds
    nothing personal travels open: no value (null, an empty list), or the field's erased
    form (e.g. "erased person"), which is what a value becomes once its person is erased."""
    sealed = {"$ref": ref_template.format(model=Sealed.__name__)}
    for model in _models_within(list(payload_classes().values())):
        schema = defs.get(model.__name__)
        if schema is None:
            continue
        for field in personal_fields(model):
            name = field.path[0]
            if len(field.path) != 1 or name not in schema.get("properties", {}):
                continue
            info, erased = model.model_fields[name], field.mark.erased
            options: list[dict[str, Any]] = [sealed]
            if erased is not None:
                options.append({"const": list(erased) if isinstance(erased, tuple) else erased})
            if not info.is_required() and info.default is None:
                options.append({"type": "null"})
            schema["properties"][name] = {"anyOf": options, "description": SEALED_NOTE}


def _models_within(models: list[type[BaseModel]]) -> list[type[BaseModel]]:
    """The models given and every model their fields hold, each once."""
    seen: dict[type[BaseModel], None] = {}
    pending = list(models)
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen[model] = None
        for info in model.model_fields.values():
            pending.extend(_models_in(info.annotation))
    return list(seen)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


@cache
def events_schema() -> dict[str, Any]:
    """One JSON Schema document: each event type under `$defs`, and `anyOf` all of them."""
    defs = _schemas("#/$defs/{model}")
    return {
        "$schema": JSON_SCHEMA,
        "$id": SCHEMA_ID,
        "title": "QI engine events",
        "description": "The JSON value of every event (Kafka record value, feed `data`). Each event "
        "type is `$defs/<EventClass>`; `x-cloudevents-type` is its `ce_type`.",
        "anyOf": [{"$ref": f"#/$defs/{name}"} for name in payload_classes()],
        "$defs": defs,
    }


def event_schema(name: str) -> dict[str, Any]:
    """A standalone schema for one event type (its references resolve inside it)."""
    document = events_schema()
    return {"$schema": JSON_SCHEMA, "$ref": f"#/$defs/{name}", "$defs": document["$defs"]}


def cloudevents_headers() -> dict[str, Any]:
    """The schema of every record's headers (CloudEvents Kafka binding, binary mode)."""
    text = {"type": "string", "minLength": 1}
    return {
        "type": "object",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject",
                     "ce_dataschema", "ce_position", "content-type"],
        "properties": {
            "ce_specversion": {"type": "string", "const": SPECVERSION},
            "ce_id": text | {"description": "unique and stable per event, `<aggregate id>:<version>`: "
                             "deduplicate by it"},
            "ce_source": text | {"format": "uri", "description": "the engine that stored the event "
                                 "(QI_EVENT_SOURCE, an absolute URI)"},
            "ce_type": text | {"pattern": r"^org\.qi\.[A-Za-z0-9]+$"},
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_subject": {"type": "string", "format": "uuid", "description": "the aggregate id"},
            "ce_dataschema": text | {"format": "uri", "description": "the payload's schema: its `$defs` "
                                     "entry in /schemas/events (under QI_PUBLIC_URL when set)"},
            "ce_position": {"type": "string", "pattern": "^[1-9][0-9]*$", "description": "the event's "
                            "position in the log, as the HTTP feed's `position` (extension attribute)"},
            "content-type": {"type": "string", "const": CONTENT_TYPE},
        },
    }  # fmt: skip


def asyncapi(settings: Settings) -> dict[str, Any]:
    """The AsyncAPI 3 document of the events topic: address, key, headers and payloads."""
    names = list(payload_classes())
    schemas = _schemas("#/components/schemas/{model}") | {"CloudEventsHeaders": cloudevents_headers()}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "QI engine events",
            "version": CONTRACT_VERSION,
            "description": "Every event the engine stores, in store order per collaborative, at least "
            "once: deduplicate by the `ce_id` header.",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {"kafka": _server(settings)},
        "channels": {"events": _channel(settings, names)},
        "operations": {"publishEvents": _operation(names)},
        "components": {"schemas": schemas, "messages": {n: _message(n) for n in names}},
    }


def _server(settings: Settings) -> dict[str, Any]:
    return {
        "host": settings.kafka_bootstrap or "localhost:9092",
        "protocol": "kafka",
        "description": "the brokers the relay publishes to (QI_KAFKA_BOOTSTRAP)",
    }


def _channel(settings: Settings, names: list[str]) -> dict[str, Any]:
    topic = settings.kafka_topic
    return {
        "address": topic,
        "description": "One topic for every event; the record key is the collaborative id, so each "
        "collaborative's events stay in order on one partition.",
        "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
        "bindings": {
            "kafka": {
                "topic": topic,
                "partitions": settings.kafka_partitions,
                "replicas": settings.kafka_replication,
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _operation(names: list[str]) -> dict[str, Any]:
    return {
        "action": "send",
        "channel": {"$ref": "#/channels/events"},
        "summary": "The relay publishes each stored event after the ones before it.",
        "messages": [{"$ref": f"#/channels/events/messages/{n}"} for n in names],
    }


def _message(name: str) -> dict[str, Any]:
    cls = payload_classes()[name]
    own = {"ce_type": {"const": event_type(cls)}, "ce_dataschema": {"pattern": f"#/\\$defs/{name}$"}}
    ce_type = {"type": "object", "properties": own}
    key = {
        "type": "string",
        "format": "uuid",
        "description": "the collaborative id; the aggregate id for events outside any collaborative",
    }
    return {
        "name": name,
        "title": name,
        "summary": (cls.__doc__ or name).strip().splitlines()[0],
        "contentType": CONTENT_TYPE,
        "headers": {"allOf": [{"$ref": "#/components/schemas/CloudEventsHeaders"}, ce_type]},
        "payload": {"$ref": f"#/components/schemas/{name}"},
        "bindings": {"kafka": {"key": key, "bindingVersion": KAFKA_BINDING}},
    }


def write_contracts(settings: Settings, folder: Path) -> list[Path]:
    """Write the events' JSON Schema and the AsyncAPI document into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, document in ((EVENTS_FILE, events_schema()), (ASYNCAPI_FILE, asyncapi(settings))):
        path = folder / filename
        path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
        written.append(path)
    return written
