"""An event's payload as people read it on the audit explorer: field names in words,
values as text (moments in the page's zone, ids named where the page knows the name,
codes in words); the template lays nested values out as indented definition lists."""

from __future__ import annotations

import re
from collections.abc import Mapping

from jinja2 import Environment

from adapters.web.formats import month, when
from projections.audit_explorer import AGGREGATE_WORDS, event_words

# What every row already shows in its columns (who, when, which collaborative), left out
# of the payload's list.
SHOWN_BESIDE = frozenset(
    {"timestamp", "originator_id", "originator_version", "originator_topic", "class_version", "actor_id",
     "actor_role", "command_id", "collaborative_id"}
)  # fmt: skip
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")
_MONTH = re.compile(r"\d{4}-\d{2}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def field_words(key: str) -> str:
    """A payload's field name in words: "care_setting" -> "Care setting"."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:]


def payload_text(value: object, names: Mapping[str, str] | None = None, zone: str | None = None) -> str:
    """One value of a payload as text: a moment as people write it, an id by its name where
    known, a code ("community_of_practice") in words; anything else as it is."""
    text = str(value)
    if isinstance(value, str):
        if _MOMENT.match(text):
            return when(text, zone)
        if _MONTH.fullmatch(text):
            return month(text)
        if _UUID.fullmatch(text) and names and text in names:
            return names[text]
        if _CODE.fullmatch(text):
            return text.replace("_", " ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return text


def shown_fields(
    payload: Mapping[str, object], names: Mapping[str, str] | None = None
) -> list[tuple[str, object]]:
    """The fields of a payload worth a line: not what the row shows beside it, and no id
    field that is empty or names nothing the page can name (an id says nothing to people)."""
    known = names or {}
    return [
        (key, value)
        for key, value in payload.items()
        if key not in SHOWN_BESIDE
        and not (
            key.endswith("_id")
            and (value is None or (isinstance(value, str) and _UUID.fullmatch(value) and value not in known))
        )
    ]


def install_payloads(env: Environment) -> None:
    env.filters |= {"field_words": field_words, "payload_text": payload_text, "event_words": event_words,
                    "shown_fields": shown_fields}  # fmt: skip
    env.globals |= {"SHOWN_BESIDE": SHOWN_BESIDE, "aggregate_words": AGGREGATE_WORDS}
