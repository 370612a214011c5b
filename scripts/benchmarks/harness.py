"""Timing, stores and the results table shared by every benchmark."""

from __future__ import annotations

import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from pydantic import BaseModel

PG_URL = "postgresql://postgres@127.0.0.1:5432/qi_bench"


class Figure(BaseModel):
    """One measured figure: the median of its runs, and its ratio to a baseline."""

    group: str
    name: str
    store: str
    value: float
    unit: str
    runs: list[float]
    baseline: str | None = None
    ratio: float | None = None
    target: str | None = None


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)

    def add(self, group: str, name: str, store: str, runs: list[float], unit: str, **extra: Any) -> Figure:
        figure = Figure(
            group=group, name=name, store=store, value=statistics.median(runs), unit=unit, runs=runs, **extra
        )
        self.figures.append(figure)
        return figure

    def find(self, name: str, store: str) -> Figure | None:
        """The figure of this name on this store, if this run has measured it."""
        return next((f for f in self.figures if f.name == name and f.store == store), None)

    def relate(self, figure: Figure, baseline: Figure, higher_is_better: bool = True) -> None:
        """Record `figure`'s ratio to `baseline` (>1 means better than the baseline)."""
        figure.baseline = f"{baseline.name} ({baseline.store})"
        ratio = figure.value / baseline.value if higher_is_better else baseline.value / figure.value
        figure.ratio = round(ratio, 3)


def free_port() -> int:
    """A free TCP port on loopback, for a server or broker the benchmark starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def medians(run: Callable[[], float], repeats: int) -> list[float]:
    return [run() for _ in range(repeats)]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)


def fresh_sqlite(name: str) -> str:
    folder = Path(tempfile.mkdtemp(prefix=f"qi-bench-{name}-"))
    return str(folder / "store.sqlite3")


def fresh_postgres() -> str:
    """An empty qi_bench database (created if missing, every table dropped)."""
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'qi_bench'").fetchone():
            conn.execute("CREATE DATABASE qi_bench")
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for (table,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall():
            conn.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    return PG_URL


def fresh_store(kind: str, name: str) -> str:
    return fresh_postgres() if kind == "postgres" else fresh_sqlite(name)


def latencies(
    read: Callable[[], object], count: int, between: Callable[[int], None] | None = None
) -> list[float]:
    """Milliseconds each of `count` calls of `read` took, `between(i)` run before each (untimed)."""
    samples = []
    for i in range(count):
        if between is not None:
            between(i)
        start = time.perf_counter()
        read()
        samples.append((time.perf_counter() - start) * 1000)
    return samples
