"""The benchmarks run and produce every figure (their speed is for `scripts/bench`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from engine.application import QIEngine
from scripts.benchmarks.commands import sqlite_like_the_store
from scripts.benchmarks.harness import Figure, Results
from scripts.benchmarks.http import BARE
from scripts.benchmarks.run import FULL, SMOKE, run_all, table, write
from scripts.benchmarks.scale import GROWN
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
    _assert_http_figures_are_related_to_their_ceilings(results.figures)
    _assert_scale_reports_growth_and_memory(results.figures)
    assert {f.name for f in results.figures if f.name.endswith("most throughput with")} == {
        "writes, 2 clients: most throughput with",
        "dashboard reads, 2 clients: most throughput with",
    }
    assert all(f.store == "postgres" for f in results.figures if ", 2 workers" in f.name)
    path = tmp_path / "results.json"
    write(results, path)
    assert len(orjson.loads(path.read_bytes())["figures"]) == len(results.figures)
    assert table(results).row_count == len(results.figures)


def _assert_http_figures_are_related_to_their_ceilings(figures: list[Figure]) -> None:
    # The loads' figures (the uploads' memory, also in section 2, is held to its own target).
    loaded = ("writes", "dashboard reads", "first dashboard read", *BARE.values())
    http = [f for f in figures if f.group == "2 http" and f.name.startswith(loaded)]
    http = [f for f in http if not f.name.endswith("failed requests")]
    ceilings = [f for f in http if f.name.startswith(tuple(BARE.values()))]
    assert ceilings and all(f.ratio is None for f in ceilings)
    related = [f for f in http if f not in ceilings]
    assert related and all(f.ratio is not None and f.ratio > 0 for f in related)
    beside_others = ("against baseline A", "most throughput with")
    assert all(
        f.baseline and f.baseline.startswith("bare ") for f in related if not f.name.endswith(beside_others)
    )


def _assert_scale_reports_growth_and_memory(figures: list[Figure]) -> None:
    for store in ("sqlite", "postgres"):
        names = {f.name for f in figures if f.store == store and f.group == "6 scale"}
        for read in GROWN:
            assert f"{read} after a change p99: growth from 3 to 12 teams" in names, (store, read)
        assert {
            "server RSS, API process (3 teams, loaded and read)",
            "server RSS, API process (12 teams, loaded and read)",
        } <= names
    assert all(f.value > 0 for f in figures if f.name.startswith("server RSS"))


def test_baseline_b_opens_sqlite_with_the_settings_of_the_engines_event_store(
    sqlite_engine: QIEngine, tmp_path: Path
) -> None:
    pragmas = ("journal_mode", "synchronous", "busy_timeout")
    with sqlite_engine.recorder.datastore.transaction(commit=False) as store:  # type: ignore[attr-defined]
        expected = []
        for pragma in pragmas:
            store.execute(f"PRAGMA {pragma}")
            expected.append(store.fetchone()[0])
    baseline = sqlite_like_the_store(str(tmp_path / "baseline-b.sqlite3"))
    assert [baseline.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas] == expected
    assert baseline.isolation_level is None and expected[0] == "wal"
    baseline.close()


def test_a_run_limited_to_some_steps_measures_only_those_and_refuses_an_unknown_step() -> None:
    results = run_all(SMOKE, ("sqlite",), Console(quiet=True), only=("commands",))
    assert {f.group for f in results.figures} == {"1 commands"}
    with pytest.raises(ValueError, match="no benchmark step 'htp'"):
        run_all(SMOKE, ("sqlite",), Console(quiet=True), only=("htp",))


def test_the_scale_benchmark_measures_two_sizes_unless_told_one_team_count() -> None:
    assert FULL.scale_sizes == (500, 2000)
    assert dataclasses.replace(FULL, scale_teams=100).scale_sizes == (100,)


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
