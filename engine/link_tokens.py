"""One-time links (invitations, password resets) and the keyed digest of an email.

A link's secret is `<account>.<link id>.<signature>`: the ids are in the event that made
the link, the signature is an HMAC-SHA256 of the link's purpose and ids under the
identity key. Nothing
secret is stored, so the event store (or a backup of it) gives no way in; whether a link
is still good (not used, not replaced, not expired) is the account's to say.

The identity key is a data key of its own (engine.personal_data, wrapped by the master
key like a person's), so rotating the master key changes neither links in flight nor
the digests that find an account by its email (`email_claim_id`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from uuid import UUID

from aggregates.personal import Keep
from engine.personal_data import DataKeys

IDENTITY_SUBJECT = UUID("c5a0f7d2-6e1b-4f83-9d27-0b4e8a1c3f65")  # whose data key the identity key is
INVITATION = "invitation"
RESET = "password-reset"


def identity_key(keys: DataKeys) -> bytes:
    found = keys.key_for(IDENTITY_SUBJECT, Keep.AT_ONCE, datetime.now(UTC))
    assert found is not None, "the identity key is never erased"
    return found[1]


def _mac(key: bytes, purpose: str, text: str) -> bytes:
    return hmac.new(key, f"{purpose}\x1f{text}".encode(), hashlib.sha256).digest()


def link_secret(key: bytes, purpose: str, account_id: UUID, link_id: UUID) -> str:
    """What the emailed link for `account_id`'s link `link_id` made for `purpose` carries."""
    text = f"{account_id}.{link_id}"
    signature = base64.urlsafe_b64encode(_mac(key, purpose, text)).decode().rstrip("=")
    return f"{text}.{signature}"


def read_link(key: bytes, purpose: str, secret: str) -> tuple[UUID, UUID] | None:
    """(the account, the link id) of a link this engine made for `purpose`; None for
    anything else (altered, made for another purpose, or not a link at all)."""
    parts = secret.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        account_id, link_id = UUID(parts[0]), UUID(parts[1])
    except ValueError:
        return None
    expected = link_secret(key, purpose, account_id, link_id)
    return (account_id, link_id) if hmac.compare_digest(expected, secret.strip()) else None


def normal_email(email: str) -> str:
    """An address as compared: the domain is case-insensitive, and in practice so is the
    local part (no mail system in use here tells Dana@ from dana@)."""
    return email.strip().lower()


def email_claim_id(key: bytes, email: str) -> UUID:
    """The id of the EmailClaim of an address: a keyed digest, so the store holds no
    address in it, and only the engine finds the claim again (as a version 8 UUID, outside
    the ids the engine derives and the ones clients choose)."""
    digest = bytearray(_mac(key, "email", normal_email(email))[:16])
    digest[6] = (digest[6] & 0x0F) | 0x80
    digest[8] = (digest[8] & 0x3F) | 0x80
    return UUID(bytes=bytes(digest))
