"""Tampering that fools the chain alone, caught by a digest saved beforehand.

(a) The last rows of both the events and the audit trail deleted: the chain over
what is left is intact. (b) An event edited and the audit trail rebuilt over it:
the new chain is intact too. A digest saved before either names the difference;
and `qi rebuild audit` refuses to re-chain (b) unless given a reason, which is
then recorded as an AuditRechained event.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from engine.application import QIEngine
from engine.audit_key import write_new_key
from engine.feed import read_feed
from engine.read_models import ReadModels
from engine.settings import Settings
from scripts.drills.report import DrillReport

KEPT = 3  # events the truncation removes from the end


def digest_cases(
    report: DrillReport,
    folder: Path,
    fresh: Callable[[Path], AbstractContextManager[str]],
    set_up: Callable[[str], object],
    sql: Callable[[str, list[tuple[str, tuple[object, ...]]]], None],
    alter: Callable[[str, int], None],
) -> None:
    """Run both cases, each on a fresh store from `fresh`, against a digest saved first."""
    key = folder / "audit-key.pem"
    write_new_key(key)
    for case in (_truncated, _rebuilt_after_tamper):
        with fresh(folder / case.__name__.strip("_")) as store:
            set_up(store)
            env = os.environ | {"QI_STORE": store, "QI_AUDIT_KEY": str(key), "COLUMNS": "200"}
            head = audited_head(store)
            digest = folder / f"{case.__name__.strip('_')}.digest.json"
            taken = qi(env, "audit", "digest", "--out", str(digest))
            report.check(
                taken.returncode == 0, f"qi audit digest failed: {taken.stdout} {taken.stderr[-300:]}"
            )
            report.count("digest tamperings tried")
            case(report, env, head, digest, sql, alter)


def audited_head(store: str) -> int:
    """The log's head once every read model has caught up (the audit trail has seen it all)."""
    engine = QIEngine(Settings(store=store))
    models = ReadModels(engine)
    models.wait_for()  # the audit trail has seen every event, as it has in production
    head = engine.recorder.max_notification_id() or 0
    models.close()
    engine.close()
    return head


def _truncated(
    report: DrillReport, env: dict[str, str], head: int, digest: Path, sql: Callable[..., None], _: object
) -> None:
    kept = head - KEPT
    settings = Settings(store=env["QI_STORE"])
    sql(settings.store, [("DELETE FROM {t} WHERE {id} > ?", (kept,))])
    sql(
        settings.read_models_store, [("DELETE FROM rm_audit WHERE position > ?", (kept,))]
    )  # its own file on SQLite
    _caught(report, "truncated", qi(env, "audit", "verify", "--digest", str(digest)), f"ends at {kept}")


def _rebuilt_after_tamper(
    report: DrillReport,
    env: dict[str, str],
    head: int,
    digest: Path,
    _: object,
    alter: Callable[[str, int], None],
) -> None:
    alter(env["QI_STORE"], head // 2)
    refused = qi(env, "rebuild", "audit")
    named = refused.returncode == 1 and "refusing to re-chain" in refused.stdout
    report.count("rebuilds over tampered history refused", named)
    report.check(
        named, f"qi rebuild audit over an edited event exited {refused.returncode}: {refused.stdout}"
    )
    forced = qi(env, "rebuild", "audit", "--override-reason", "drill: re-chain after a restore")
    report.check(
        forced.returncode == 0, f"the override rebuild failed: {forced.stdout} {forced.stderr[-300:]}"
    )
    recorded = _overrides(env["QI_STORE"]) == 1
    report.count("overrides recorded as events", recorded)
    report.check(recorded, "the override rebuild left no AuditRechained event")
    plain = qi(env, "audit", "verify")
    report.check(plain.returncode == 0, f"the re-chained trail does not verify: {plain.stdout}")
    done = qi(env, "audit", "verify", "--digest", str(digest))
    _caught(report, "rebuilt after tamper", done, f"the chain hash at {head} differs")


def _caught(report: DrillReport, case: str, done: subprocess.CompletedProcess[str], words: str) -> None:
    caught = done.returncode == 1 and words in done.stdout
    report.count("digest tamperings caught by verify --digest", caught)
    report.check(
        caught, f"{case}: verify --digest exited {done.returncode}, not naming {words!r}: {done.stdout}"
    )


def _overrides(store: str) -> int:
    engine = QIEngine(Settings(store=store))
    found, after = 0, 0
    while page := read_feed(engine, after, 1000):
        found += sum(e.type == "org.qi.AuditRechained" for e in page)
        after = page[-1].position
    engine.close()
    return found


def qi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `qi` as an operator does."""
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )
