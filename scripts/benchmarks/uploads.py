"""Peak memory above idle while the server refuses a decompression bomb: the issue's
"docx" whose [Content_Types].xml claims 1,000 bytes but inflates to 1.5 GB, streamed to
the upload route of the app served in this process (scripts.drills.uploads), with this
process's resident memory sampled through the request."""

from __future__ import annotations

import tempfile

import httpx

from adapters.app import create_app
from engine.application import QIEngine
from engine.settings import Settings
from scripts.benchmarks.harness import Results, fresh_store
from scripts.drills import bombs
from scripts.drills.memory import MB
from scripts.drills.uploads import TARGET_MB, prepare, serving

NAME = "peak memory above idle during a hostile upload"


def run_uploads(results: Results, kind: str, megabytes: int, repeats: int) -> None:
    """Post the bomb (`megabytes` MB inflated) `repeats` times; the median peak in MB."""
    bomb = bombs.lying_bomb(megabytes)
    settings = Settings(store=fresh_store(kind, "uploads"), files=tempfile.mkdtemp(prefix="qi-bench-files-"))
    engine = QIEngine(settings)
    try:
        with serving(create_app(engine)) as base, httpx.Client(base_url=base, timeout=300) as client:
            target = prepare(client, engine)
            runs = [_peak(target.post("policy.docx", bomb)) for _ in range(max(repeats, 3))]
    finally:
        engine.close()
    results.add("2 http", NAME, kind, runs, "MB", target=f"< {TARGET_MB} MB")


def _peak(answer: tuple[httpx.Response, int]) -> float:
    response, peak = answer
    if response.status_code != 422:
        raise AssertionError(
            f"the bomb was not refused with 422: {response.status_code} {response.text[:200]}"
        )
    return round(peak / MB, 1)
