"""The shape of every command handler.

A handler loads what the command needs through the unit of work, makes one domain
call (or a few, on aggregates saved together) and returns the id of the resource
the command addressed. It never saves: the engine saves everything the unit of work
loaded or created, with the idempotency record, in one atomic `save()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from aggregates.base import CommandContext
from engine.unit_of_work import UnitOfWork

# The command argument is typed Any here: each table entry pairs a command class with
# the handler of exactly that class, which a test holds true.
Handler = Callable[[UnitOfWork, CommandContext, Any], UUID]
