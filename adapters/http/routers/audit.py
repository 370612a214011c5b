"""The audit trail: who did what, when and why; and proof the history is intact.

The digests served here are recorded beside the API by the runtime (adapters.bootstrap)
when QI_AUDIT_KEY is set.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from adapters.http.deps import PrincipalDep, QueriesDep
from adapters.http.errors import READ_ERRORS, problem_responses
from adapters.http.moments import UtcMoment
from engine.audit_digest import AuditDigest
from projections.audit import AuditFilter, Verification, iso_utc
from projections.audit_actors import AuditEntry

DIGEST_ERRORS = READ_ERRORS | problem_responses(503)


router = APIRouter(tags=["audit"])


@router.get("/audit", responses=READ_ERRORS)
def audit_trail(
    queries: QueriesDep,
    principal: PrincipalDep,
    collaborative: UUID | None = None,
    aggregate: UUID | None = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    type: Annotated[str | None, Query(max_length=100, description="event type, e.g. PhaseAdvanced")] = None,
    since: Annotated[UtcMoment | None, Query(description="from this moment (inclusive)")] = None,
    until: Annotated[UtcMoment | None, Query(description="before this moment")] = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="rows after this position (paging)")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntry]:
    """One row per stored event, in order, filtered and paged by position; `actor` is an actor id."""
    filters = AuditFilter(
        collaborative=collaborative,
        aggregate=aggregate,
        actor=actor,
        action=type,
        since=iso_utc(since) if since else None,
        until=iso_utc(until) if until else None,
        after=after,
        limit=limit,
    )
    return queries.audit_trail(principal, filters)


@router.get("/audit/verify", responses=READ_ERRORS)
def verify_audit(queries: QueriesDep, principal: PrincipalDep) -> Verification:
    """Recompute the hash chain from the event store; name the first position that no longer matches."""
    return queries.verify_audit(principal)


@router.get("/audit/digest", responses=DIGEST_ERRORS)
def audit_digest(queries: QueriesDep, principal: PrincipalDep) -> AuditDigest:
    """The head of the audit chain (position, hash, events), signed: keep it to check the store later."""
    return queries.audit_digest(principal)


@router.get(
    "/audit/digest/public-key",
    response_class=PlainTextResponse,
    responses=DIGEST_ERRORS | {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def audit_public_key(queries: QueriesDep, principal: PrincipalDep) -> PlainTextResponse:
    """The PEM public key that verifies this deployment's digests (`qi audit verify --public-key`)."""
    return PlainTextResponse(queries.audit_public_key(principal))
