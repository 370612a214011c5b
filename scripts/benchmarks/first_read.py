"""2. The first read after a write, over HTTP: one client posts a team's data point and
at once reads its collaborative's dashboard, which must already show it (read-your-writes);
p50/p99 of that GET. This is the read that pays for projecting the write: in the request
thread when reads caught up themselves, on the projector thread (waited for) since.

The server is `qi serve` in its own process, as deployed; one client, so the figure is
latency, not throughput (section 2's wrk runs measure load). Each figure is related to
the same percentile of one client reading the bare endpoint (scripts/benchmarks/bare.py)."""

from __future__ import annotations

import httpx

from aggregates.base import Role
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.settings import Settings
from scripts.benchmarks.harness import Results, fresh_store, percentile, timer
from scripts.benchmarks.http import BARE, READS
from scripts.benchmarks.servers import server
from scripts.benchmarks.world import SYSTEM, build_world

GROUP = "2 http"
DENOMINATOR = 20


def run_first_reads(results: Results, kind: str, rounds: int) -> None:
    store = fresh_store(kind, "first-read")
    engine = QIEngine(Settings(store=store))
    world = build_world(engine, teams=1)
    token = engine.issue_token(Grant(name="bench", role=Role.STAFF), engine.context(SYSTEM))
    engine.close()
    write = f"/teams/{world.teams[0]}/measures/weight-kg/data"
    read = f"/collaboratives/{world.collaborative}/dashboard"
    with server(store) as served, httpx.Client(base_url=served.url, timeout=600) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        client.get(read).raise_for_status()  # projects the set-up, which is not what is measured
        latencies = [_write_then_read(client, write, read, numerator=n % DENOMINATOR) for n in range(rounds)]
    for p in (50, 99):
        figure = results.add(
            GROUP, f"first dashboard read after a write: p{p}", kind, [percentile(latencies, p)], "ms"
        )
        # Its ceiling: one client reading the bare endpoint's ready-made dashboard, when the
        # HTTP step ran before this one.
        ceiling = results.find(f"{BARE[READS]}, 1 clients: p{p}", kind)
        if ceiling is not None:
            results.relate(figure, ceiling, higher_is_better=False)


def _write_then_read(client: httpx.Client, write: str, read: str, numerator: int) -> float:
    """Milliseconds the dashboard GET took right after the POST, checking it shows the point."""
    body = {"period": "2024-01", "numerator": numerator, "denominator": DENOMINATOR}
    client.post(write, json=body).raise_for_status()
    with timer() as elapsed:
        response = client.get(read)
    response.raise_for_status()
    if not _shows(response.json(), numerator):
        raise AssertionError(
            f"the dashboard read right after the write did not show it: {response.text[:300]}"
        )
    return elapsed() * 1000


def _shows(dashboard: dict[str, object], numerator: int) -> bool:
    """Whether the dashboard's latest value is this numerator's (a p chart's proportion)."""
    teams = dashboard["teams"]
    assert isinstance(teams, list)
    values = [m["latest_value"] for m in teams[0]["measures"]]
    return any(v is not None and abs(v - numerator / DENOMINATOR) < 1e-9 for v in values)
