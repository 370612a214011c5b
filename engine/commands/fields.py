"""What every command field obeys at the edge: a link is http(s), a number is a
number, a list is bounded and names nothing twice.

Only commands use these. Events, and the value objects they carry, stay as lenient
as the day their history was written: a rule added here can never stop a stored
event from loading. A command that carries such a value object validates it with a
stricter subclass (`Edge`) and hands the engine the value object itself.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Hashable, Sized
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class HttpUrl:
    """A web address people can open safely: http or https, a host, no credentials."""

    what: str = "the link"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, core_schema.str_schema())

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(schema) | {
            "format": "uri",
            "maxLength": MAX_URL_LENGTH,
            # http(s), a host without user or password, then anything but spaces and backslashes
            "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@\\\\]+([/?#][^\\s\\\\]*)?$",
        }

    def check(self, value: str) -> str:
        """The address, trimmed; refused with the reason in the sender's words."""
        value = value.strip()
        reason = _refusal(value)
        if reason:
            raise PydanticCustomError("url_refused", "{what} " + reason, {"what": self.what})
        return value


def _refusal(url: str) -> str | None:
    """Why `url` is no address to put behind a link, or None."""
    if len(url) > MAX_URL_LENGTH:
        return f"is longer than {MAX_URL_LENGTH:,} characters"
    if any(_invisible(c) for c in url):
        return "must not contain spaces or control characters"
    if not url.lower().startswith(("http://", "https://")):
        return "must start with http:// or https://"
    if "\\" in url:
        return "must not contain a backslash"
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number in range raises here
    except ValueError:
        return "is not a valid web address"
    if not parts.hostname:
        return "must name a host, as in https://example.org/page"
    if "@" in parts.netloc:
        return "must not carry a user name or password"
    return None


def _invisible(char: str) -> bool:
    # Whitespace, and Unicode's "other" categories: controls, format characters
    # (zero-width, bidirectional overrides), surrogates and unassigned code points.
    return char.isspace() or unicodedata.category(char).startswith("C")


@dataclass(frozen=True)
class Items:
    """A list of `least` to `most` items, none twice; `same` says what makes two items the same."""

    most: int
    what: str  # one item, in the sender's words: "measure key"
    plural: str = ""
    same: Callable[[Any], Hashable | None] | None = None
    least: int = 0

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        checked = core_schema.no_info_after_validator_function(self._once_each, handler(source))
        # Counted before the items are validated, so 40,000 of them cost nothing.
        return core_schema.no_info_before_validator_function(self._at_most, checked)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler.resolve_ref_schema(handler(schema))
        if json_schema.get("type") == "object":
            return json_schema | {"maxProperties": self.most}
        counts = {"maxItems": self.most} | ({"minItems": self.least} if self.least else {})
        return json_schema | counts | ({"uniqueItems": True} if self.same is None else {})

    def _at_most(self, value: Any) -> Any:
        # Counted as sent: pydantic's own length check counts only the items that were
        # valid, and would add "at least 1 item" to the error of the one invalid item.
        if not isinstance(value, Sized) or isinstance(value, str | bytes):
            return value
        plural = self.plural or f"{self.what}s"
        if len(value) > self.most:
            raise PydanticCustomError(
                "too_many_items",
                "lists {count} {plural}; at most {most}",
                {"count": len(value), "plural": plural, "most": self.most},
            )
        if len(value) < self.least:
            what = self.what if self.least == 1 else plural
            raise PydanticCustomError(
                "too_few_items", "must list at least {least} {what}", {"least": self.least, "what": what}
            )
        return value

    def _once_each(self, values: Any) -> Any:
        seen: set[Hashable] = set()
        for value in values:
            key = self.same(value) if self.same else value
            if key is None:
                continue
            if key in seen:
                raise PydanticCustomError(
                    "duplicate_item", "lists the {what} '{item}' twice", {"what": self.what, "item": str(key)}
                )
            seen.add(key)
        return values


def _a_number(value: Any, kind: str = "a number") -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError(
            "number_type", "must be {kind}, not {value}", {"kind": kind, "value": _json(value)}
        )
    if isinstance(value, str):
        raise PydanticCustomError(
            "number_type", "must be {kind}, not the text {value}", {"kind": kind, "value": _quoted(value)}
        )
    return value


def _a_whole_number(value: Any) -> Any:
    if isinstance(value, float):
        raise PydanticCustomError("int_type", "must be a whole number, not {value}", {"value": value})
    return _a_number(value, "a whole number")


def _true_or_false(value: Any) -> Any:
    if not isinstance(value, bool):
        raise PydanticCustomError(
            "bool_type", "must be true or false, not {value}", {"value": _quoted(value)}
        )
    return value


def _json(value: bool) -> str:
    return "true" if value else "false"


def _quoted(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Strictly:
    """A number that is one (not true, not "60"); a flag that is true or false.

    Put it after the field's limits (`Annotated[float, Field(ge=0), Strictly()]`), so the
    limits stay plain JSON Schema (minimum, maximum) on the number itself.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        check = {float: _a_number, int: _a_whole_number, bool: _true_or_false}[source]
        strict: Any = {**handler(source), "strict": True}
        return core_schema.no_info_before_validator_function(check, strict)


Flag = Annotated[bool, Strictly()]


@dataclass(frozen=True)
class Edge:
    """Validate a value object with its stricter subclass `model`, and keep the value object.

    The subclass never travels further: events carry the value object, so they compare
    equal to, and serialise like, what the store gives back.
    """

    model: type[BaseModel]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        unwrap = _unwrapping(source, self.model)
        return core_schema.chain_schema(
            [
                core_schema.no_info_before_validator_function(unwrap, handler.generate_schema(self.model)),
                core_schema.no_info_plain_validator_function(_fields_of),
                handler(source),
            ]
        )


def _fields_of(value: BaseModel) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.model_fields_set}


def _unwrapping(source: type[BaseModel], model: type[BaseModel]) -> Callable[[Any], Any]:
    """A value object already built (a command rebuilt from a request body) is checked again."""

    def unwrap(value: Any) -> Any:
        return _fields_of(value) if isinstance(value, source) and not isinstance(value, model) else value

    return unwrap
