"""Reads of the audit trail (staff and auditors): rows with their actors' names, the
chain's verification, and the signed digest of its head with the key that checks it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.personal import ERASED_TEXT
from aggregates.tokens import Principal
from engine import authorization
from engine.audit_anchor import current_digest
from engine.audit_digest import AuditDigest
from engine.audit_key import signing_key
from engine.errors import Forbidden
from engine.queries.base import Reader
from engine.sealing import open_everywhere
from projections.audit import AuditFilter, Verification
from projections.audit_actors import AuditEntry, with_actor_names


@dataclass(frozen=True)
class AuditExplorer:
    """The audit trail for a caller already authorised (the explorer page checks first,
    then reads what its fields ask for), within the collaboratives they audit (`scope`;
    None: every event)."""

    reader: Reader
    scope: tuple[UUID, ...] | None = None

    def trail(self, filters: AuditFilter) -> list[AuditEntry]:
        """The rows, with personal values opened (staff and auditors may read them): the
        trail itself keeps them sealed, as stored; an erased person's read as erased. An
        auditor of some collaboratives reads only their events."""
        if self.scope is not None:
            if filters.collaborative is not None and filters.collaborative not in self.scope:
                raise Forbidden("you may only read the audit trail of the collaboratives you audit")
            filters = filters.model_copy(update={"collaboratives": self.scope})
        models, engine = self.reader.read_models, self.reader.engine
        names = engine.actor_names()
        if filters.actor:  # an actor's id, or a person's (or token's) name or part of it
            typed = filters.actor.casefold()
            named = sorted(i for i, name in names.items() if typed in name.casefold())
            filters = filters.model_copy(update={"actor": None, "actors": (filters.actor, *named)})
        rows = [
            row.model_copy(update={"payload": open_everywhere(row.payload, engine.sealer.open, ERASED_TEXT)})
            for row in models.audit(filters)
        ]
        return with_actor_names(rows, names)

    def verify(self) -> Verification:
        return self.reader.read_models.verify_audit()


class AuditQueries(Reader):
    def audit_explorer(self, principal: Principal) -> AuditExplorer:
        """The audit trail and its verification, for staff and auditors exploring it."""
        self._staff_only(principal, "explore the audit trail")
        return AuditExplorer(self, authorization.audit_scope(principal))

    def audit_trail(self, principal: Principal, filters: AuditFilter) -> list[AuditEntry]:
        """One row per stored event, filtered and paged, with each actor's name."""
        self._staff_only(principal, "read the audit trail")
        return AuditExplorer(self, authorization.audit_scope(principal)).trail(filters)

    def verify_audit(self, principal: Principal) -> Verification:
        """The hash chain recomputed from the event store."""
        self._staff_only(principal, "verify the audit trail")
        return self.read_models.verify_audit()

    def audit_digest(self, principal: Principal) -> AuditDigest:
        """The chain's head, signed with this deployment's key (503 without one)."""
        self._staff_only(principal, "read the audit digest")
        key = signing_key(self.engine.settings.audit_key)
        return current_digest(self.engine, self.read_models.digests, key)

    def audit_public_key(self, principal: Principal) -> str:
        """The PEM public key that verifies the digests."""
        self._staff_only(principal, "read the audit digest key")
        return signing_key(self.engine.settings.audit_key).verifying.pem()
