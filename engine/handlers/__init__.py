"""Command handlers: load, one domain call, return the addressed id.

A handler never saves: the engine saves everything the unit of work loaded or
created, with the idempotency record, in one atomic `save()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from aggregates.base import CommandContext
from engine.commands import Command
from engine.unit_of_work import UnitOfWork

C = TypeVar("C", bound=Command)
Handler = Callable[[UnitOfWork, CommandContext, Any], UUID]

HANDLERS: dict[type[Command], Handler] = {}


def handles(command_type: type[C]) -> Callable[[Callable[[UnitOfWork, CommandContext, C], UUID]], Handler]:
    def register(handler: Callable[[UnitOfWork, CommandContext, C], UUID]) -> Handler:
        HANDLERS[command_type] = handler
        return handler

    return register
