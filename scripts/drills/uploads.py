"""The hostile-uploads drill: decompression bombs (a part lying about its size, a part
that truly expands, many modest parts, too many entries, a bomb inside a ZIP, a bzip2
part) and Office files hiding macros, each posted to the library's upload route.

The app is served by uvicorn in a thread of this process and every file is streamed
from disk over loopback, as a browser sends it, so the memory sampled is what the
server spends: the peak resident memory above what the process held just before.
"""

from __future__ import annotations

import math
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from adapters.app import create_app
from engine.application import QIEngine
from scripts.drills import bombs
from scripts.drills.memory import MB, PeakMemory
from scripts.drills.processes import free_port
from scripts.drills.report import DrillReport
from scripts.drills.world import Caller, build_world

TARGET_MB = 50
PROVES = (
    "no upload exhausts memory or smuggles macros, whatever sizes and totals it declares: every bomb "
    "and macro-carrying file is refused with 422 problem+json and stores nothing, and the server's "
    f"peak memory above idle stays under {TARGET_MB} MB"
)
FORM = {"kind": "tool_or_template", "title": "Kg-only weight policy"}
PEAK, BOMB_PEAK = "peak MB above idle", "peak MB above idle, the issue's bomb"


def hostile_files(megabytes: int) -> list[tuple[str, str, Callable[[], bytes]]]:
    """(what it is, file name, how to build it) for every hostile upload the drill posts."""
    return [
        (f"[Content_Types].xml claims 1,000 bytes, inflates to {megabytes:,} MB", "policy.docx",
         partial(bombs.lying_bomb, megabytes)),
        (f"a part declaring and inflating to {megabytes:,} MB", "policy.docx",
         partial(bombs.honest_bomb, megabytes)),
        ("300 parts of 1 MB at 50:1", "policy.docx", partial(bombs.wide_bomb, 300)),
        ("20,000 entries", "slides.pptx", partial(bombs.many_entries, 20_000)),
        ("200,000 entries, the end record declaring 65,535", "slides.pptx",
         partial(bombs.many_entries, 200_000)),
        ("a ZIP holding the bomb", "policy.zip", partial(bombs.zip_in_zip, megabytes)),
        ("a bzip2 part", "policy.docx", bombs.bzip2_part),
        ("word/vbaProject.bin under a plain Word type", "policy.docx", bombs.with_vba_part),
        ("xl/VBAPROJECT.BIN under a plain Excel type", "data.xlsx",
         partial(bombs.with_vba_part, "xlsx", "xl/VBAPROJECT.BIN")),
        ("a declared vbaProject content type", "policy.docx", bombs.declaring_vba),
        ("a macro-enabled .docm", "policy.docx", bombs.macro_enabled),
        ("a Word 97 file with a VBA project", "policy.doc", bombs.legacy_with_macros),
    ]  # fmt: skip


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread of this process."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="drill-uvicorn", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Target:
    """The upload route of a collaborative in orientation, and staff to post to it."""

    caller: Caller
    url: str
    files: Path

    def post(self, name: str, content: bytes) -> tuple[httpx.Response, int]:
        """Post `content` streamed from a file; the answer and the peak RSS above idle (bytes)."""
        with tempfile.TemporaryDirectory(prefix="qi-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            with path.open("rb") as f, PeakMemory() as memory:
                upload = {"file": (name, f, "application/octet-stream")}
                response = self.caller.request("POST", self.url, data=FORM, files=upload)
        return response, memory.above_idle

    def stored(self) -> int:
        return sum(1 for p in self.files.rglob("*") if p.is_file()) if self.files.exists() else 0


def prepare(client: httpx.Client, engine: QIEngine) -> Target:
    """A collaborative to upload to; one refused upload first, so imports and caches are warm."""
    world = build_world(client, engine, "orientation", "U")
    url = f"/collaboratives/{world.flow.collaborative}/resources/files"
    target = Target(world.callers["staff"], url, engine.settings.files_folder)
    target.post("warm-up.docx", bombs.honest_bomb(4))
    return target


def hostile_uploads(engine: QIEngine, store: str = "sqlite", megabytes: int = 1500) -> DrillReport:
    """Post every hostile file to the app over `engine` (bombs of `megabytes` MB); see PROVES."""
    report = DrillReport("hostile uploads", PROVES, store, counts={"inputs tried": 0, "5xx seen": 0})
    with serving(create_app(engine)) as base, httpx.Client(base_url=base, timeout=300) as client:
        target = prepare(client, engine)
        for number, (label, name, build) in enumerate(hostile_files(megabytes)):
            peak = _judge(report, engine, target, label, name, build())
            _record_peak(report, PEAK, peak)
            if number == 0:
                _record_peak(report, BOMB_PEAK, peak)
    worst = report.counts.get(PEAK, 0)
    report.check(worst < TARGET_MB, f"peak memory {worst} MB above idle, over the {TARGET_MB} MB target")
    return report


def _judge(
    report: DrillReport, engine: QIEngine, target: Target, label: str, name: str, content: bytes
) -> int:
    before, files = engine.recorder.max_notification_id(), target.stored()
    response, peak = target.post(name, content)
    status = response.status_code
    report.count("inputs tried")
    report.count(
        "5xx seen" if status >= 500 else "refused with 422" if status == 422 else f"answered {status}"
    )
    report.check(status == 422, f"{label}: answered {status}, not 422: {response.text[:200]}")
    kind = response.headers.get("content-type", "")
    report.check(
        status != 422 or kind == "application/problem+json", f"{label}: a 422 that is not problem+json"
    )
    report.check(engine.recorder.max_notification_id() == before, f"{label}: events were written")
    report.check(target.stored() == files, f"{label}: a file was stored")
    report.check(peak < TARGET_MB * MB, f"{label}: {peak / MB:.1f} MB above idle")
    return peak


def _record_peak(report: DrillReport, key: str, peak: int) -> None:
    report.counts[key] = max(report.counts.get(key, 0), math.ceil(peak / MB))
