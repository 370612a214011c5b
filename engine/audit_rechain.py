"""Re-chaining the audit trail over history that no longer matches the last digest.

`qi rebuild audit` recomputes every link from the event store: over an edited
store that would make the edit look intact. So before rebuilding it checks the
store against the last recorded digest, and refuses on a mismatch unless given a
reason; the override is itself an event (AuditRechained), so the audit shows who
re-chained which digest's history, when and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, Field

from aggregates.base import Actor, CommandContext, QIAggregate, QICreated
from engine.application import QIEngine
from engine.audit_anchor import DigestLog
from engine.audit_digest import AuditDigest, DigestCheck, check_store, signature_problem
from engine.audit_key import VerifyingKey

NAMESPACE = UUID("3d0b6a52-8f1e-4c7a-b9d4-5e2a61c0f873")


class RechainState(BaseModel):
    collaborative_id: UUID | None = None
    reason: str
    digest_position: int
    digest_hash: str
    problem: str


class AuditRechaining(QIAggregate):
    """One override of the digest check, by someone, for a reason."""

    State = RechainState
    if TYPE_CHECKING:
        state: RechainState

    @classmethod
    def record(cls, ctx: CommandContext, reason: str, digest: AuditDigest, problem: str) -> Self:
        return cls._create_with(
            ctx,
            AuditRechained,
            uuid5(NAMESPACE, ctx.command_id),
            collaborative_id=None,
            reason=reason,
            digest_position=digest.position,
            digest_hash=digest.hash,
            digest_at=digest.at,
            problem=problem,
        )


class AuditRechained(QICreated):
    """The audit trail was re-chained although history no longer matched the digest named."""

    reason: str = Field(min_length=1, max_length=2000)
    digest_position: int
    digest_hash: str
    digest_at: str
    problem: str

    def apply(self, aggregate: AuditRechaining) -> None:
        aggregate.state = RechainState(
            reason=self.reason,
            digest_position=self.digest_position,
            digest_hash=self.digest_hash,
            problem=self.problem,
        )


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
    engine.save(AuditRechaining.record(engine.context(actor), reason, digest, problem))
