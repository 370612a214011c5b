"""Audit digests: the head of the audit chain (position, hash, events), signed with
a key the database does not hold, as ledger databases anchor their history.

A digest kept anywhere outside the database (a file, a Kafka topic, a ticket)
proves later what the history was: the chain recomputed from the event store
must reach the digest's position with exactly its hash, so truncating the store
below it, editing any event at or before it, or re-chaining the audit trail over
an edited store all show. The chain is recomputed from the stored records, never
read from the audit trail, so it depends on no read model.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime
from typing import Literal
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field

from engine.application import QIEngine
from engine.audit_key import SigningKey, VerifyingKey
from projections.audit import START, ChainHead, StoredRecord, chain_through, iso_utc

FORMAT = "qi-audit-digest/1"
PAGE = 1000


class AuditDigest(BaseModel):
    """The signed head of the audit chain."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["qi-audit-digest/1"] = FORMAT
    position: int = Field(ge=0, description="the last position the digest covers")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="the chain's SHA-256 link at `position`")
    events: int = Field(ge=0, description="events in the chain up to `position`")
    at: str = Field(description="when the digest was made (UTC, ISO-8601)")
    key_id: str = Field(description="fingerprint of the public key that verifies `signature`")
    signature: str = Field(description="Ed25519 signature (base64) of the other fields, canonically encoded")

    def signed_bytes(self) -> bytes:
        """The canonical encoding the signature covers: every other field, keys sorted."""
        return orjson.dumps(self.model_dump(exclude={"signature"}), option=orjson.OPT_SORT_KEYS)

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.position, bytes.fromhex(self.hash), self.events)


class DigestCheck(BaseModel):
    """Whether the store still holds the history a digest signed, and if not, why."""

    ok: bool
    position: int
    problem: str | None = None


def sign(head: ChainHead, at: datetime, key: SigningKey) -> AuditDigest:
    """The digest of `head`, made at `at`, signed with `key`."""
    unsigned = AuditDigest(
        position=head.position,
        hash=head.hash.hex(),
        events=head.events,
        at=iso_utc(at),
        key_id=key.verifying.id,
        signature="",
    )
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return unsigned.model_copy(update={"signature": signature})


def signature_problem(digest: AuditDigest, key: VerifyingKey) -> str | None:
    """None when `key` verifies the digest's signature; else what is wrong, in words."""
    try:
        signature = base64.b64decode(digest.signature, validate=True)
    except ValueError:
        signature = b""
    if digest.key_id == key.id and key.verifies(signature, digest.signed_bytes()):
        return None
    return (
        f"the signature does not verify with the key {key.id} (the digest names {digest.key_id}): "
        "the digest was altered or signed with another key"
    )


def head_of(engine: QIEngine, start: ChainHead = START) -> ChainHead:
    """The chain over the event store from `start` to its last event."""
    return chain_through(stored_records(engine, start.position), start)


def check_store(engine: QIEngine, digest: AuditDigest) -> DigestCheck:
    """Recompute the chain from the event store up to the digest's position and compare."""
    reached = chain_through(stored_records(engine), upto=digest.position)
    end = engine.recorder.max_notification_id() or 0
    return compare(reached, end, digest)


def compare(reached: ChainHead, store_end: int, digest: AuditDigest) -> DigestCheck:
    """Judge the chain `reached` at the digest's position, the store ending at `store_end`."""
    m = digest.position
    if store_end < m:
        problem = f"the store ends at {store_end} but the digest of {digest.at} covers position {m}"
    elif reached.position != m or reached.hash.hex() != digest.hash:
        problem = f"the chain hash at {m} differs from the digest: history at or before {m} was altered"
    else:
        return DigestCheck(ok=True, position=m)
    return DigestCheck(ok=False, position=m, problem=problem)


def verify(engine: QIEngine, digest: AuditDigest, key: VerifyingKey) -> DigestCheck:
    """The signature first (a forged digest proves nothing), then the store against it."""
    problem = signature_problem(digest, key)
    if problem is not None:
        return DigestCheck(ok=False, position=digest.position, problem=problem)
    return check_store(engine, digest)


def stored_records(engine: QIEngine, after: int = 0) -> Iterator[StoredRecord]:
    """The store's records after a position, in log order, a page at a time."""
    while page := engine.recorder.select_notifications(after, PAGE, inclusive_of_start=False):
        for n in page:
            yield n.id, UUID(str(n.originator_id)), n.originator_version, n.topic, n.state
        after = page[-1].id
