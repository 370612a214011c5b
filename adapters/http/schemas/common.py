"""Schemas every write route shares, and request bodies derived from commands."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, create_model, model_validator

from aggregates.idempotency import CommandResult as CommandResult  # the engine's result is the response
from engine.commands import Command


class NoNul(BaseModel):
    """Refuses U+0000 anywhere in the input: it is no character of any text people write,
    and PostgreSQL's text columns cannot hold it, so one stored NUL would stop every
    projection that reads its event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("text must not contain the NUL character (U+0000)")
        return data


def _has_nul(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in data.items())
    if isinstance(data, list | tuple):
        return any(_has_nul(v) for v in data)
    return False


class CommandBody(NoNul):
    """A request body made from a command's fields (see `body_of`): validated once, on arrival."""

    _command: ClassVar[type[Command]]
    _path: ClassVar[type[BaseModel]]  # the command's fields the URL path carries

    def command(self, **path: Any) -> Command:
        """The command: this body's fields as they were validated, with the path's fields,
        which are checked by the command's rules for them (a bad one is refused with 422)."""
        checked = self._path.model_validate(path)
        return self._command.model_construct(**dict(checked), **dict(self))


def body_of(command: type[Command], *path_fields: str) -> type[CommandBody]:
    """A request body: the command's fields less those the URL path carries; no NUL in any text."""
    fields = {name: (field.annotation, field) for name, field in command.model_fields.items()}
    body = create_model(
        f"{command.__name__}Body",
        __base__=CommandBody,
        __doc__=command.__doc__,
        **{name: spec for name, spec in fields.items() if name not in path_fields},  # type: ignore[call-overload]
    )
    body._command = command
    body._path = create_model(
        f"{command.__name__}Path",
        __config__=ConfigDict(extra="forbid"),
        **{name: spec for name, spec in fields.items() if name in path_fields},  # type: ignore[call-overload]
    )
    return body
