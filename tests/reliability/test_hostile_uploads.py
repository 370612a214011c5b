"""The hostile-uploads drill: bombs and macro-carrying files streamed to the upload
route of a served app are all refused with 422, store nothing, and keep the server's
peak memory above idle under 50 MB."""

from __future__ import annotations

from engine.application import QIEngine
from scripts.drills.uploads import BOMB_PEAK, PEAK, TARGET_MB, hostile_files, hostile_uploads
from tests.reliability.conftest import held


def test_every_hostile_upload_is_refused_with_422_within_50_mb_above_idle(sqlite_engine: QIEngine) -> None:
    report = held(hostile_uploads(sqlite_engine, megabytes=200))
    tried = len(hostile_files(200))
    counts = report.counts
    assert counts["inputs tried"] == counts["refused with 422"] == tried
    assert counts["5xx seen"] == 0
    assert 0 <= counts[BOMB_PEAK] <= counts[PEAK] < TARGET_MB
