"""Runs chosen drills on chosen stores and renders their reports as one table.

`python -m scripts drill` (and `scripts/drill`, which starts PostgreSQL and a broker first) is
the long form of `tests/reliability/`: the same drills, more clients, longer, more
kills.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from scripts.drills.processes import SHARED_POSTGRES, fresh_store
from scripts.drills.report import DrillReport


@dataclass(frozen=True)
class DrillOptions:
    stores: tuple[str, ...] = ("sqlite", "postgres")
    clients: int = 32
    seconds: float = 30.0  # concurrency: how long the clients hammer
    kills: int = 60
    outage: float = 30.0  # seconds PostgreSQL and the broker stay down
    examples: int = 100  # hostile input: Schemathesis examples per route
    postgres: str = SHARED_POSTGRES  # the server drills create their databases on
    bootstrap: str | None = None  # a Kafka broker for the crash drill (else a private one)


def _concurrency(o: DrillOptions) -> Iterator[DrillReport]:
    from scripts.drills.concurrency import concurrency

    for store in o.stores:
        yield concurrency(store, o.clients, o.seconds, o.postgres)


def _crashes(o: DrillOptions) -> Iterator[DrillReport]:
    from scripts.drills.crashes import crashes

    for store in o.stores:
        yield crashes(store, o.kills, clients=4, bootstrap=o.bootstrap, postgres=o.postgres)


def _outages(o: DrillOptions) -> Iterator[DrillReport]:
    from scripts.drills.outages import kafka_outage, postgres_outage

    if "postgres" in o.stores:
        yield postgres_outage(clients=8, before=3.0, down=o.outage, after=max(10.0, o.outage / 2))
    yield kafka_outage(clients=4, before=3.0, down=o.outage)


def _tampering(o: DrillOptions) -> Iterator[DrillReport]:
    from scripts.drills.tampering import tampering

    for store in o.stores:
        yield tampering(store, o.postgres)


def _in_process(
    run: Callable[..., DrillReport], **kwargs: Any
) -> Callable[[DrillOptions], Iterator[DrillReport]]:
    """A drill that runs against an app in this process, on a fresh engine per store."""

    def each_store(o: DrillOptions) -> Iterator[DrillReport]:
        import tempfile

        from engine.application import QIEngine
        from engine.settings import Settings

        for store in o.stores:
            folder = Path(tempfile.mkdtemp(prefix="qi-drill-"))
            with fresh_store(store, folder, o.postgres) as url:
                engine = QIEngine(Settings(store=url))
                try:
                    yield run(engine, store=store, **{k: getattr(o, v) for k, v in kwargs.items()})
                finally:
                    engine.close()

    return each_store


def _hostile(o: DrillOptions) -> Iterator[DrillReport]:
    from scripts.drills.hostile import run_hostile_input

    yield from _in_process(run_hostile_input, examples="examples")(o)


def _authorization(o: DrillOptions) -> Iterator[DrillReport]:
    from scripts.drills.authorization import run_authorization

    yield from _in_process(run_authorization)(o)


def _poison(o: DrillOptions) -> Iterator[DrillReport]:
    from scripts.drills.poison import run_poison

    yield from _in_process(run_poison)(o)


def _uploads(o: DrillOptions) -> Iterator[DrillReport]:
    from scripts.drills.uploads import hostile_uploads

    yield from _in_process(hostile_uploads)(o)


DRILLS: dict[str, Callable[[DrillOptions], Iterator[DrillReport]]] = {
    "concurrency": _concurrency,
    "crashes": _crashes,
    "outages": _outages,
    "tampering": _tampering,
    "hostile": _hostile,
    "authorization": _authorization,
    "poison": _poison,
    "uploads": _uploads,
}


def run_drills(
    names: list[str], options: DrillOptions, done: Callable[[DrillReport], None] | None = None
) -> list[DrillReport]:
    """Run each named drill; one that cannot run at all is reported as failed, not skipped."""
    import os

    from engine.audit_key import generate_pem

    # The drills run the API as a deployment does, with an audit key (a throwaway one unless
    # one is set): without it the digest routes rightly answer 503.
    os.environ.setdefault("QI_AUDIT_KEY", generate_pem())
    reports: list[DrillReport] = []
    for name in names:
        try:
            for report in DRILLS[name](options):
                reports.append(report)
                if done:
                    done(report)
        except Exception as error:
            failed = DrillReport(name, "(did not run)", ",".join(options.stores))
            where = "\n".join(traceback.format_exc().splitlines()[-6:-1])
            failed.check(False, f"the drill could not run: {type(error).__name__}: {error}\n{where}")
            reports.append(failed)
            if done:
                done(failed)
    return reports


COLUMNS = (
    ("writes acknowledged", "writes\nacknowledged"),
    ("writes found", "writes\nfound"),
    ("duplicates", "duplicates"),
    ("crashes survived", "crashes\nsurvived"),
    ("inputs tried", "inputs\ntried"),
    ("5xx seen", "5xx\nseen"),
)


def table(reports: list[DrillReport]) -> Table:
    """One row per drill and store: what it proves, the headline counts, held or failed."""
    grid = Table("drill", "store", "what it proves", title="reliability drills", show_lines=True)
    for _, header in COLUMNS:
        grid.add_column(header, justify="right")
    grid.add_column("other counts")
    grid.add_column("result")
    shown = {key for key, _ in COLUMNS}
    for r in reports:
        other = "; ".join(f"{k}: {v:,}" for k, v in r.counts.items() if k not in shown)
        result = "[green]held[/]" if r.held else "[red]FAILED[/]\n" + "\n".join(r.failures)
        figures = [f"{r.counts[key]:,}" if key in r.counts else "" for key, _ in COLUMNS]
        grid.add_row(r.name, r.store, r.proves, *figures, other, result)
    return grid
