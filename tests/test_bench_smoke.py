"""The benchmarks run and produce every figure (their speed is for `scripts/bench`)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from rich.console import Console

from scripts.benchmarks.run import SMOKE, run_all, table, write

GROUPS = {
    "1 commands",
    "2 http",
    "3 projections",
    "4 relay",
    "5 aggregate load",
    "6 scale",
    "7 personal data",
}


@pytest.mark.postgres
def test_every_benchmark_runs_on_both_stores_and_writes_its_figures(
    postgres_url: str, tmp_path: Path
) -> None:
    results = run_all(SMOKE, ("sqlite", "postgres"), Console(quiet=True))
    for store in ("sqlite", "postgres"):
        groups = {f.group for f in results.figures if f.store == store}
        assert groups == GROUPS, store
    engine_rows = [f for f in results.figures if f.name.startswith("engine:")]
    assert engine_rows and all(f.ratio is not None and f.ratio > 0 for f in engine_rows)
    assert all(f.value >= 0 for f in results.figures)
    path = tmp_path / "results.json"
    write(results, path)
    assert len(orjson.loads(path.read_bytes())["figures"]) == len(results.figures)
    assert table(results).row_count == len(results.figures)
