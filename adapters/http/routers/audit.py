"""The audit trail: who did what, when and why; and proof the history is intact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from adapters.http.deps import PrincipalDep, ReadModelsDep
from adapters.http.errors import READ_ERRORS
from engine.authorization import authorize_staff
from projections.audit import AuditFilter, AuditRow, Verification, iso_utc

router = APIRouter(tags=["audit"])


@router.get("/audit", responses=READ_ERRORS)
def audit_trail(
    read_models: ReadModelsDep,
    principal: PrincipalDep,
    collaborative: UUID | None = None,
    aggregate: UUID | None = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    type: Annotated[str | None, Query(max_length=100, description="event type, e.g. PhaseAdvanced")] = None,
    since: Annotated[datetime | None, Query(description="from this moment (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="before this moment")] = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="rows after this position (paging)")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditRow]:
    """One row per stored event, in order, filtered and paged by position."""
    authorize_staff(principal, "read the audit trail")
    filters = AuditFilter(
        collaborative=collaborative,
        aggregate=aggregate,
        actor=actor,
        action=type,
        since=_utc(since),
        until=_utc(until),
        after=after,
        limit=limit,
    )
    return read_models.audit(filters)


@router.get("/audit/verify", responses=READ_ERRORS)
def verify_audit(read_models: ReadModelsDep, principal: PrincipalDep) -> Verification:
    """Recompute the hash chain from the event store; name the first position that no longer matches."""
    authorize_staff(principal, "verify the audit trail")
    return read_models.verify_audit()


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return iso_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
