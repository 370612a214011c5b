"""Re-chaining the audit trail over history that no longer matches the last digest.

`qi rebuild audit` recomputes every link from the event store: over an edited
store that would make the edit look intact. So before rebuilding it checks the
store against the last recorded digest, and refuses on a mismatch unless given a
reason; the override is itself an event (AuditRechained), so the audit shows who
re-chained which digest's history, when and why.
"""

from __future__ import annotations

from aggregates.audit_rechain import AuditRechaining
from aggregates.base import Actor
from engine.application import QIEngine
from engine.audit_anchor import DigestLog
from engine.audit_digest import AuditDigest, DigestCheck, check_store, signature_problem
from engine.audit_key import VerifyingKey


def rechain_check(
    engine: QIEngine, digests: DigestLog, key: VerifyingKey | None
) -> tuple[AuditDigest, DigestCheck] | None:
    """The last recorded digest and whether the store still matches it (None: no digest yet).
    With a key, a recorded digest it does not verify counts as a mismatch: the table was altered."""
    last = digests.last()
    if last is None:
        return None
    problem = signature_problem(last, key) if key is not None else None
    if problem is not None:
        return last, DigestCheck(
            ok=False, position=last.position, problem=f"the last recorded digest: {problem}"
        )
    return last, check_store(engine, last)


def record_override(engine: QIEngine, actor: Actor, reason: str, digest: AuditDigest, problem: str) -> None:
    """Store the AuditRechained event naming the digest overridden, the problem and the reason."""
    engine.save(
        AuditRechaining.record(
            engine.context(actor), reason, digest.position, digest.hash, digest.at, problem
        )
    )
