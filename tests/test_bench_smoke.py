"""The benchmarks run and produce every figure (their speed is for `scripts/bench`)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from rich.console import Console

from scripts.benchmarks.harness import Results
from scripts.benchmarks.run import SMOKE, run_all, table, write
from scripts.benchmarks.side_by_side import run_side_by_side

GROUPS = {
    "1 commands",
    "2 http",
    "3 projections",
    "4 relay",
    "5 aggregate load",
    "6 scale",
    "7 personal data",
    "8 side by side",
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


def test_the_side_by_side_benchmark_reads_each_page_and_relates_its_p99_to_the_one_second_target() -> None:
    results = Results()
    run_side_by_side(results, "sqlite", teams=3, months=2, reads=2)
    names = [f.name for f in results.figures]
    for page in ("small multiples page", "funnel page", "funnel SVG"):
        for state in ("first read after a change", "unchanged (cached)"):
            assert (
                f"{page} {state} p50 (3 teams, 2 months)" in names
                and f"{page} {state} p99 (3 teams, 2 months)" in names
            )
    p99s = [f for f in results.figures if " p99 " in f.name]
    assert all(f.group == "8 side by side" and f.value > 0 for f in results.figures)
    assert all(f.ratio == round(1000 / f.value, 3) and f.baseline == "the 1 s target" for f in p99s)
