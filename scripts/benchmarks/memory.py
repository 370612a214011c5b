"""6. The server's memory with a collaborative at scale loaded and read: `qi serve` over the
scale benchmark's store reads the dashboard and both charts over HTTP, then its resident set
is read from /proc (VmRSS now, VmHWM its peak): the API process, and with its children (the
projector runs in a child process by default)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import httpx

from scripts.benchmarks.harness import Results
from scripts.benchmarks.servers import server

GROUP = "6 scale"
TARGET_MB = 500
TARGET_TEAMS = 500


def run_memory(results: Results, kind: str, store: str, token: str, reads: list[str], teams: int) -> None:
    """Serve `store`, GET each of `reads` twice, and record the server's resident memory; the
    target is the 500-team collaborative's (larger ones are reported, not held to it)."""
    with server(store) as served, httpx.Client(base_url=served.url, timeout=600) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for path in reads * 2:
            client.get(path).raise_for_status()
        pid = served.pid  # with one worker, `qi serve` runs uvicorn in its own process
        api, tree = resident_mb(pid, "VmRSS"), sum(resident_mb(p, "VmRSS") for p in _family(pid))
        peak = resident_mb(pid, "VmHWM")
    target = f"< {TARGET_MB} MB" if teams <= TARGET_TEAMS else None
    label = f"{teams} teams"
    results.add(
        GROUP, f"server RSS, API process ({label}, loaded and read)", kind, [api], "MB", target=target
    )
    results.add(GROUP, f"server RSS, API process peak ({label})", kind, [peak], "MB", target=target)
    results.add(GROUP, f"server RSS, with its child processes ({label})", kind, [tree], "MB")


def resident_mb(pid: int, key: str = "VmRSS") -> float:
    """A process's resident memory in MB, from /proc/PID/status (VmRSS, or VmHWM for its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return round(int(line.split()[1]) / 1024, 1)  # the kernel writes kB
    raise LookupError(f"/proc/{pid}/status has no {key}")


def _family(pid: int) -> list[int]:
    """`pid` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def paths(collaborative: UUID, team: UUID, measure: str) -> list[str]:
    """The reads the memory figure is taken after: the dashboard and both charts of `measure`."""
    return [
        f"/collaboratives/{collaborative}/dashboard",
        f"/collaboratives/{collaborative}/measures/{measure}/chart",
        f"/teams/{team}/measures/{measure}/chart",
    ]
