"""Passwords: Argon2id hashes (argon2-cffi) in a table of their own beside the events.

A hash is a secret, so it is never in an event (the event says only that a password was
set or changed). `verify` takes as long for an account without a password, or no account
at all, as for a wrong password: it checks against a hash made for that purpose, so the
time of the answer tells nothing about which emails have accounts.

The cost is RFC 9106's second recommendation (Argon2id, 3 passes over 64 MiB, 4 lanes)
unless QI_PASSWORD_HASHING says otherwise; `test-only-cheapest` exists for test suites
that sign in hundreds of times, and must not be used by a deployment.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from engine.readstore import ReadStore

TABLE = "qi_passwords"
DDL = f"CREATE TABLE IF NOT EXISTS {TABLE} (account_id TEXT PRIMARY KEY, hash TEXT NOT NULL, set_at TEXT NOT NULL)"
PROFILES = {"rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY, "test-only-cheapest": profiles.CHEAPEST}
MIN_LENGTH = 12
MAX_LENGTH = 256


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password will not do, in the words of whoever typed it (NIST SP 800-63B:
    length matters, composition rules do not); None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters (a few words make a good password)"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    if not password.strip():
        return "a password cannot be only spaces"
    if email and password.strip().lower() == email.strip().lower():
        return "a password cannot be your email address"
    if len(set(password)) < 4:
        return "use more different characters than that"
    return None


class Passwords:
    def __init__(self, store: ReadStore, hashing: str = "rfc9106-low-memory") -> None:
        self.store = store
        self.hasher = PasswordHasher.from_parameters(PROFILES[hashing])
        self._decoy = self.hasher.hash("a password no account has")
        with self.store.transaction(write=True) as tx:
            tx.execute(DDL)

    def set(self, account_id: UUID, password: str, at: datetime) -> None:
        digest = self.hasher.hash(password)
        with self.store.transaction(write=True) as tx:
            tx.execute(
                f"INSERT INTO {TABLE} (account_id, hash, set_at) VALUES (?, ?, ?) "
                "ON CONFLICT (account_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
                (str(account_id), digest, at.isoformat()),
            )

    def verify(self, account_id: UUID | None, password: str) -> bool:
        """Whether `password` is the account's; as slow for no account as for a wrong one."""
        stored = self._hash_of(account_id) if account_id is not None else None
        try:
            self.hasher.verify(stored or self._decoy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if stored is None:
            return False
        if self.hasher.check_needs_rehash(stored):  # hashed with an older cost: bring it up now
            self._rehash(account_id, password, stored)
        return True

    def has_password(self, account_id: UUID) -> bool:
        return self._hash_of(account_id) is not None

    def forget(self, account_id: UUID) -> None:
        with self.store.transaction(write=True) as tx:
            tx.execute(f"DELETE FROM {TABLE} WHERE account_id = ?", (str(account_id),))

    def _hash_of(self, account_id: UUID) -> str | None:
        with self.store.transaction() as tx:
            row = tx.fetchone(f"SELECT hash FROM {TABLE} WHERE account_id = ?", (str(account_id),))
        return str(row[0]) if row else None

    def _rehash(self, account_id: UUID | None, password: str, old: str) -> None:
        with self.store.transaction(write=True) as tx:
            tx.execute(
                f"UPDATE {TABLE} SET hash = ? WHERE account_id = ? AND hash = ?",
                (self.hasher.hash(password), str(account_id), old),
            )
