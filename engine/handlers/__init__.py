"""Command handlers, one module per aggregate; `HANDLERS` is the one table of them.

Each module lists its own handlers in a `HANDLERS` table; this table merges them,
refusing a command that two modules both claim. A test holds it complete: every
command class has exactly one handler.
"""

from __future__ import annotations

from engine.commands import Command
from engine.handlers import (
    accounts,
    activity,
    charts,
    collaborative,
    instruments,
    learning,
    reminders,
    reports,
    team,
    training,
)
from engine.handlers.handler import Handler


def _merged(*tables: dict[type[Command], Handler]) -> dict[type[Command], Handler]:
    merged: dict[type[Command], Handler] = {}
    for table in tables:
        for command, handler in table.items():
            if merged.setdefault(command, handler) is not handler:
                raise TypeError(f"two handlers for {command.__name__}")
    return merged


HANDLERS: dict[type[Command], Handler] = _merged(
    collaborative.HANDLERS,
    team.HANDLERS,
    activity.HANDLERS,
    learning.HANDLERS,
    accounts.HANDLERS,
    charts.HANDLERS,
    training.HANDLERS,
    reports.HANDLERS,
    instruments.HANDLERS,
    reminders.HANDLERS,
)
