"""The tooling commands, run from a checkout (never by the installed engine):

python -m scripts demo    seed the demo collaborative (scripts/run)
python -m scripts bench   the benchmarks (scripts/bench)
python -m scripts drill   the reliability drills (scripts/drill)
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.common import _engine, _fail_config, console


def demo() -> None:
    """Seed the demo collaborative (once) through the engine's commands and summarise it."""
    from scripts.demo.render import render_summary
    from scripts.demo.seed import seed_demo
    from scripts.demo.summary import summarize

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
    from scripts.demo.accounts import DEMO_PASSWORD, seed_accounts

    people = seed_accounts(engine)
    console.print(f"\nSign in at /ui/ as any of these, with the password [bold]{DEMO_PASSWORD}[/]:")
    for person in people:
        console.print(f"  {person.email:<24} {person.who}", soft_wrap=True)
    engine.close()


# What `python -m scripts bench` and `... drill` drive the engine with: installed by the [test] extra only.
TEST_EXTRA = {"bench": ("httpx",), "drill": ("httpx", "schemathesis")}


def _needs_test_extra(command: str) -> None:
    """Stop a tooling command (exit 2) naming the extra to install, rather than a traceback."""
    import importlib.util

    missing = [name for name in TEST_EXTRA[command] if importlib.util.find_spec(name) is None]
    if missing:
        _fail_config(
            f"python -m scripts {command} needs {', '.join(missing)} from the test extra: pip install 'qi-engine[test]'"
        )


def _throwaway_data_key() -> None:
    """Benchmarks and drills make throwaway stores: their personal data is sealed under a
    throwaway master key (inherited by the servers they start) unless QI_DATA_KEY names one."""
    import os

    from engine.personal_data import new_master_key

    os.environ.setdefault("QI_DATA_KEY", new_master_key())


def bench(
    smoke: Annotated[
        bool, typer.Option(help="tiny sizes: check every benchmark runs (not its speed)")
    ] = False,
    store: Annotated[list[str] | None, typer.Option(help="sqlite and/or postgres (default: both)")] = None,
    out: Annotated[Path, typer.Option(help="where to write the figures")] = Path("bench/results.json"),
    history: Annotated[
        int | None, typer.Option(min=100, help="events in the large rebuild (default 1,000,000)")
    ] = None,
    teams: Annotated[
        int | None, typer.Option(min=1, help="teams in the at-scale collaborative (default: 500 and 2,000)")
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option(help="just these steps (e.g. http, scale); default: every one")
    ] = None,
) -> None:
    """Measure the engine beside the raw library and the database; print the table, write results.json."""
    _needs_test_extra("bench")
    from scripts.benchmarks.run import FULL, SMOKE, STEPS, run_all, table, write

    stores = tuple(store or ("sqlite", "postgres"))
    unknown = [s for s in stores if s not in ("sqlite", "postgres")]
    if unknown:
        raise typer.BadParameter(
            f"unknown store {unknown[0]!r}; use sqlite or postgres", param_hint="--store"
        )
    wrong = [step for step in only or () if step not in STEPS]
    if wrong:
        raise typer.BadParameter(
            f"unknown step {wrong[0]!r}; use one of {', '.join(STEPS)}", param_hint="--only"
        )
    sizes = SMOKE if smoke else FULL
    if history is not None:
        sizes = dataclasses.replace(
            sizes, projection_events={"sqlite": history, "postgres": min(history, 100_000)}
        )
    if teams is not None:
        sizes = dataclasses.replace(sizes, scale_teams=teams)
    _throwaway_data_key()
    results = run_all(sizes, stores, console, out=out, only=tuple(only or ()))
    console.print(table(results))
    write(results, out)
    console.print(f"figures written to {out}")


def drill(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--drill",
            help="concurrency, crashes, outages, tampering, hostile, authorization, poison, uploads (default: all)",
        ),
    ] = None,
    store: Annotated[list[str] | None, typer.Option(help="sqlite and/or postgres (default: both)")] = None,
    clients: Annotated[int, typer.Option(min=1, help="concurrency: clients hammering at once")] = 32,
    seconds: Annotated[float, typer.Option(min=1, help="concurrency: seconds of hammering")] = 30.0,
    kills: Annotated[int, typer.Option(min=3, help="crashes: kill -9s per store")] = 60,
    outage: Annotated[
        float, typer.Option(min=1, help="outages: seconds PostgreSQL and Kafka stay down")
    ] = 30.0,
    examples: Annotated[
        int, typer.Option(min=0, help="hostile input: Schemathesis examples per route")
    ] = 100,
    postgres: Annotated[
        str, typer.Option(help="PostgreSQL server the drills create their databases on")
    ] = "postgresql://postgres@127.0.0.1:5432",
    kafka: Annotated[
        str | None, typer.Option(help="a Kafka broker for the crash drill (default: a private Tansu)")
    ] = None,
) -> None:
    """Run the reliability drills and print what was tried and what held; exit 1 if any failed."""
    _needs_test_extra("drill")
    _throwaway_data_key()
    from scripts.drills.run import DRILLS, DrillOptions, run_drills, table

    names = only or list(DRILLS)
    for name in names:
        if name not in DRILLS:
            raise typer.BadParameter(f"no drill {name!r}; known: {', '.join(DRILLS)}", param_hint="--drill")
    stores = tuple(store or ("sqlite", "postgres"))
    for each in stores:
        if each not in ("sqlite", "postgres"):
            raise typer.BadParameter(f"unknown store {each!r}; use sqlite or postgres", param_hint="--store")
    options = DrillOptions(stores, clients, seconds, kills, outage, examples, postgres, kafka)
    reports = run_drills(
        names,
        options,
        lambda r: console.print(
            f"{r.name} on {r.store}: " + ("[green]held[/]" if r.held else "[red]FAILED[/]")
        ),
    )
    console.print(table(reports))
    broken = [(r, failure) for r in reports for failure in r.failures]
    for r, failure in broken:
        console.print(f"[red]{r.name} on {r.store}[/]: {failure}", soft_wrap=True)
    if broken:
        raise typer.Exit(1)


app = typer.Typer(no_args_is_help=True, help="QI engine tooling: demo seeding, benchmarks, drills")
app.command()(demo)
app.command()(bench)
app.command()(drill)

if __name__ == "__main__":
    app()
