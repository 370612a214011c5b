"""An override of the audit digest check: who re-chained which digest's history, and why.

How the check and the override run: engine/audit_rechain.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, Field

from aggregates.base import CommandContext, QIAggregate, QICreated

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
    def record(
        cls,
        ctx: CommandContext,
        reason: str,
        digest_position: int,
        digest_hash: str,
        digest_at: str,
        problem: str,
    ) -> Self:
        return cls._create_with(
            ctx,
            AuditRechained,
            uuid5(NAMESPACE, ctx.command_id),
            collaborative_id=None,
            reason=reason,
            digest_position=digest_position,
            digest_hash=digest_hash,
            digest_at=digest_at,
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
