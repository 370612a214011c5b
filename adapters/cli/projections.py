"""`qi projections`: which read models are serving, and resuming one that stopped."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.common import _read_models

projections_app = typer.Typer(no_args_is_help=True, help="Read models: status, and resuming a stopped one")
console = Console(width=None if sys.stdout.isatty() else 140)


@projections_app.command("status")
def status() -> None:
    """Each read model's position against the head of the log; exit 1 naming any that stopped on an event."""
    models = _read_models()
    head = models.runner.head()
    stopped = models.failures()
    table = Table("read model", "position", "behind", "state")
    for name in models.runner.projections:
        position = models.runner.position(name)
        failure = stopped.get(name)
        state = (
            f"[red]stopped[/] at event {failure.position} ({failure.event_type}): {failure.error}"
            if failure
            else "serving"
        )
        table.add_row(name, str(position), str(head - position), state)
    console.print(table)
    models.close()
    if stopped:
        console.print("once the cause is fixed: qi projections resume NAME (or qi rebuild NAME)")
        raise typer.Exit(1)


@projections_app.command("resume")
def resume(name: Annotated[str, typer.Argument(help="the read model that stopped")]) -> None:
    """Try a stopped read model's failed event again (after a fix) and catch it up; exit 1 if it stops again."""
    models = _read_models()
    if name not in models.runner.projections:
        models.close()
        raise typer.BadParameter(f"no read model {name!r}; known: {', '.join(models.runner.projections)}")
    cleared = models.runner.resume(name)
    if cleared is None:
        console.print(f"the {name} read model was not stopped; catching it up")
    processed = models.runner.catch_up().get(name, 0)
    failure = models.failures().get(name)
    models.close()
    if failure is not None:
        console.print(f"[red]{failure.describe()}[/]", soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"[green]{name} is serving[/]: {processed} events applied")
