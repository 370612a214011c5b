"""8. Every team side by side at scale (500 teams, 24 months): the server's time to build and
render the small multiples page and the funnel page (and the funnel's SVG), read through the
app as a signed-in browser does (in process: no network), against the 1 s target.

Two states: the first read after a change (a data point arrives and is projected, so the
teams' charts are built again), and unchanged (the charts come from the read models' cache;
the drawing and the page are made each time). Its ratio is the target over the p99: above 1
is within the target.

`python -m scripts.benchmarks.side_by_side [teams] [months]` runs it alone on SQLite and prints the figures.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from fastapi.testclient import TestClient
from rich.console import Console

from adapters.app import create_app
from aggregates.base import Role
from aggregates.phases import Phase
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.commands.team import SubmitData
from engine.settings import Settings
from scripts.benchmarks.harness import Results, fresh_store, latencies, percentile
from scripts.benchmarks.world import SYSTEM, WEIGHT, build_world

GROUP = "8 side by side"
TARGET_MS = 1000.0
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def fill(engine: QIEngine, team_ids: list, months: int) -> None:
    """Every team reports the measure for `months` months, from 10 to 209 children a month
    (so the funnel's denominators differ), saved a team at a time."""
    ctx = engine.context(SYSTEM)
    periods = [f"{2023 + m // 12}-{1 + m % 12:02d}" for m in range(months)]
    for number, team_id in enumerate(team_ids):
        team = engine.team(team_id)
        seen = 10 + number % 200
        for month, period in enumerate(periods):
            weighed = min(seen, round(seen * (0.55 + 0.015 * month)) + (number * 7 + month) % 5 - 2)
            team.submit_data(ctx, Phase.SESSIONS, WEIGHT.key, period, max(weighed, 0), seen)
        engine.save(team)


def signed_in(client: TestClient, token: str) -> None:
    page = client.get("/ui/sign-in")
    found = CSRF.search(page.text)
    assert found, "the sign-in page has no CSRF token"
    answer = client.post("/ui/sign-in", data={"csrf_token": found[1], "token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def run_side_by_side(results: Results, kind: str, teams: int, months: int, reads: int) -> None:
    engine = QIEngine(Settings(store=fresh_store(kind, "side-by-side"), projections="worker"))
    world = build_world(engine, teams=teams)
    fill(engine, world.teams, months)
    token = engine.issue_token(Grant(name="bench staff", role=Role.STAFF), engine.context(SYSTEM))
    app = create_app(engine)
    models = app.state.read_models
    models.runner.catch_up()
    client = TestClient(app)
    signed_in(client, token)
    base = f"/ui/collaboratives/{world.collaborative}/measures/{WEIGHT.key}"
    label = f"{teams} teams, {months} months"
    pages = {
        "small multiples page": f"{base}/teams?sort=signal",
        "funnel page": f"{base}/funnel?months=3",
        "funnel SVG": f"{base}/funnel.svg",
    }

    def change(i: int) -> None:
        engine.execute(SubmitData(team_id=world.teams[i % teams], measure_key=WEIGHT.key, period="2023-01",
                                  numerator=5 + i % 3, denominator=10), engine.context(SYSTEM))  # fmt: skip
        models.runner.catch_up()

    for name, path in pages.items():
        read = _reader(client, path)
        read()  # warm: templates compiled, the first drawing's fonts measured
        for state, samples in (
            ("first read after a change", latencies(read, reads, change)),
            ("unchanged (cached)", latencies(read, reads)),
        ):
            results.add(GROUP, f"{name} {state} p50 ({label})", kind, [percentile(samples, 50)], "ms")
            p99 = results.add(GROUP, f"{name} {state} p99 ({label})", kind, [percentile(samples, 99)], "ms",
                              target="< 1000 ms")  # fmt: skip
            p99.baseline, p99.ratio = "the 1 s target", round(TARGET_MS / p99.value, 3)
    client.close()
    models.close()
    engine.close()


def _reader(client: TestClient, path: str) -> Callable[[], object]:
    def read() -> object:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return response

    return read


if __name__ == "__main__":
    import os

    from engine.personal_data import new_master_key

    os.environ.setdefault("QI_DATA_KEY", new_master_key())
    teams, months = (int(a) for a in (sys.argv[1:3] + ["500", "24"][len(sys.argv[1:3]) :]))
    found = Results()
    run_side_by_side(found, "sqlite", teams, months, reads=10)
    console = Console()
    for f in found.figures:
        ratio = f"  {f.ratio:.2f}x {f.baseline}" if f.ratio is not None else ""
        console.print(f"{f.name}: {f.value:,.1f} {f.unit}{ratio}", soft_wrap=True)
