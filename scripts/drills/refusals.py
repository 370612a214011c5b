"""What a refusal must be: 401 for a caller with no valid token, 403 for one without
the right, as problem+json, naming nothing of the data the caller may not see."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from scripts.drills.report import DrillReport
from scripts.drills.world import World

INTRUDERS = ("anonymous", "malformed", "revoked", "expired")


def judge_refusal(
    report: DrillReport, response: httpx.Response, name: str, label: str, markers: Iterable[str]
) -> None:
    expected = 401 if name in INTRUDERS else 403
    report.count(f"refused with {response.status_code}")
    if response.status_code >= 500:
        report.count("5xx seen")
    if response.status_code != expected:
        report.check(False, f"{label}: expected {expected}, got {response.status_code} {response.text[:120]}")
        return
    report.check(
        response.headers.get("content-type", "").startswith("application/problem+json"),
        f"{label}: a refusal that is not problem+json",
    )
    leaked = [m for m in markers if m in response.text]
    report.check(not leaked, f"{label}: the refusal names {leaked}")


def private_markers(world: World) -> list[str]:
    """Strings that only someone allowed to read the world's teams may see."""
    flow = world.flow
    return [
        f"{flow.title} Mercy ED",
        f"{flow.title} Big Sky EMS",
        *(flow.members.get(t, "") for t in flow.teams),
    ]
