"""The `qi` command line."""

from __future__ import annotations

import typer
from rich.console import Console

from engine.application import QIEngine
from engine.settings import Settings

app = typer.Typer(no_args_is_help=True, help="QI Collaborative Engine")
console = Console()


def _engine() -> QIEngine:
    return QIEngine(Settings())


@app.command()
def demo() -> None:
    """Seed the demo collaborative (once) through the engine's commands and summarise it."""
    from engine.demo import render_summary, seed_demo, summarize

    engine = _engine()
    with console.status("seeding the demo collaborative…"):
        result = seed_demo(engine)
    if result.created:
        console.print(f"[green]Seeded the demo collaborative[/] into {engine.settings.store}")
    else:
        console.print(
            f"[yellow]The demo collaborative already exists[/] in {engine.settings.store}; nothing was added."
        )
    console.print(render_summary(summarize(engine, result.collaborative_id)))
    engine.close()


@app.command()
def info() -> None:
    """Show which store the engine uses and how many events it holds."""
    engine = _engine()
    console.print(f"store: {engine.settings.store}")
    console.print(f"events: {engine.recorder.max_notification_id() or 0}")
    engine.close()


if __name__ == "__main__":
    app()
