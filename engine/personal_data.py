"""Personal data at rest: crypto-shredding with a data key per person.

Every personal value (aggregates.personal marks which) is sealed with AES-GCM under a
data key of the person it belongs to, before it reaches the event store; what goes on
from there (snapshots, read models, the audit trail, the feed, Kafka) carries the
ciphertext only. Each person has up to two data keys: one for what is erased with them
(`Keep.AT_ONCE`), one for what a CE record must keep for the retention period
(`Keep.CE_RECORD`: name and licences). Erasing a key erases every copy of every value
it sealed, wherever that copy went, without touching an event: the audit chain, which
hashes the stored bytes, still verifies.

The data keys live in their own table (`qi_data_keys`, beside the events), each wrapped
(AES-GCM) by a master key that is never in the database: QI_DATA_KEY, the key itself
or the path of a file holding it (`qi keys new` makes one). Rotation re-wraps the data
keys, never the events: list the new key first and the old after it
(QI_DATA_KEY=new,old), run `qi keys rotate`, then drop the old.

The library is `cryptography` (AES-GCM, 256-bit keys, 96-bit random nonces); nothing
here is home-made beyond choosing what to bind: a value's ciphertext is bound to its
data key's id, and a wrapped data key to its own id, so neither can be moved to
another person's row and still open.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aggregates.personal import Keep
from engine.errors import NotConfigured
from engine.readstore import ReadStore
from engine.settings import Settings

ENV = "QI_DATA_KEY"
TABLE = "qi_data_keys"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "key_id TEXT PRIMARY KEY, subject_id TEXT NOT NULL, keep TEXT NOT NULL, "
    "master_id TEXT NOT NULL, wrapped TEXT, created_at TEXT NOT NULL, "
    "erase_after TEXT, erased_at TEXT)"
)
INSERT = (
    f"INSERT INTO {TABLE} (key_id, subject_id, keep, master_id, wrapped, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
SUBJECT_INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_subject ON {TABLE} (subject_id)"
_NAMESPACE = UUID("3f8d7c1e-54a2-4d0b-9a61-6f2d2c8e5b17")
EPOCH = "qi_data_keys_epoch"  # one row, moved by every erasure: other processes drop their keys
EPOCH_DDL = f"CREATE TABLE IF NOT EXISTS {EPOCH} (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL)"
EPOCH_SECONDS = 1.0  # how long another process may still open a key this one erased
CACHE_SIZE = 100_000  # unwrapped keys kept in memory


class DataKeyMissing(NotConfigured):
    """QI_DATA_KEY is not set where it must be, or names no usable key."""


def new_master_key() -> str:
    """A fresh master key, as QI_DATA_KEY or its file holds it (base64url, 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64(data: bytes) -> str:
    """base64url, as base64.urlsafe_b64encode writes it (without its Python-level wrapper)."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


@dataclass(frozen=True)
class MasterKey:
    id: str
    aead: AESGCM

    @classmethod
    def parse(cls, text: str, where: str) -> MasterKey:
        try:
            raw = _unb64(text.strip())
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise DataKeyMissing(
                f"{ENV} ({where}) is not a master key: expected 32 bytes in base64url, as `qi keys new` writes"
            )
        return cls("mk:" + hashlib.sha256(raw).hexdigest()[:16], AESGCM(raw))


def master_keys(settings: Settings) -> list[MasterKey]:
    """The master keys of the settings, current first. Each entry of QI_DATA_KEY (comma
    separated) is a key or the path of a file holding one. Unset on SQLite, a key file
    beside the store is used (made on first use, readable by its owner only); unset on
    PostgreSQL, the engine refuses to start."""
    value = settings.data_key
    if not value:
        if settings.uses_postgres:
            raise DataKeyMissing(
                f"{ENV} is not set: personal data is sealed under a master key kept outside the "
                f"database; make one with `qi keys new --out FILE` and set {ENV}=FILE"
            )
        file = _default_key_file(settings)
        return [MasterKey.parse(file.read_text(), str(file))]
    keys = []
    for entry in (e.strip() for e in value.split(",") if e.strip()):
        path = Path(entry)
        if len(entry) != 44 or path.exists():
            if not path.is_file():
                raise DataKeyMissing(
                    f"{ENV} names {entry}, which is neither a master key nor a file holding one"
                )
            keys.append(MasterKey.parse(path.read_text(), entry))
        else:
            keys.append(MasterKey.parse(entry, "its value"))
    return keys


def default_key_file(settings: Settings) -> Path:
    """The embedded default's master key file: beside the SQLite store."""
    store = Path(settings.store)
    return store.with_name(f"{store.stem}.data-key")


def _default_key_file(settings: Settings) -> Path:
    path = default_key_file(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.new")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_master_key() + "\n")
        try:  # the first process to get there makes the key; the others use it
            os.link(partial, path)
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path


def key_id(subject: UUID, keep: Keep) -> UUID:
    """The id of a person's data key of one kind (the same in every process)."""
    return key_ids(subject)[keep]


@functools.lru_cache(maxsize=65_536)
def key_ids(subject: UUID) -> dict[Keep, UUID]:
    """The ids of a person's data keys, of every kind: uuid5(_NAMESPACE, "subject:keep")."""
    who = str(subject)
    return {keep: uuid5(_NAMESPACE, f"{who}:{keep.value}") for keep in Keep}


@dataclass(frozen=True)
class KeyRow:
    key_id: UUID
    subject_id: UUID
    keep: Keep
    erase_after: str | None
    erased_at: str | None


class DataKeys:
    """The per-person data keys: made on first use, unwrapped once and kept for
    until any process erases one (checked at most every EPOCH_SECONDS), erased for good."""

    def __init__(self, settings: Settings, store: ReadStore | None = None) -> None:
        self.settings = settings
        self.masters = master_keys(settings)
        self.store = store or ReadStore(settings)
        self._own_store = store is None
        self._cache: dict[UUID, tuple[bytes | None, bool]] = {}
        self._lock = threading.Lock()
        self._pending = threading.local()  # keys made in a deferred() block, by thread
        with self.store.transaction(write=True) as tx:
            tx.execute(DDL)
            tx.execute(SUBJECT_INDEX)
            tx.execute(EPOCH_DDL)
            tx.execute(f"INSERT INTO {EPOCH} (id, epoch) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
            row = tx.fetchone(f"SELECT epoch FROM {EPOCH} WHERE id = 1")
        self._epoch = int(row[0]) if row else 0  # keys kept from now on are as of this epoch
        self._epoch_checked = time.monotonic()

    def key_for(
        self, subject: UUID, keep: Keep, at: datetime, new_subject: bool = False
    ) -> tuple[UUID, bytes] | None:
        """The data key that seals `subject`'s values of `keep`, made if they have none;
        None once erased (nothing of theirs is sealed again). `new_subject`: the subject is
        the aggregate these values' event creates, so no key of theirs can exist yet.

        Inside `deferred()` a new key is written with the events it seals (their
        transaction: engine.keyed_recorders); outside, in a transaction of its own."""
        kid = key_id(subject, keep)
        pending = self._pending_keys()
        if pending is not None:
            if kid not in pending and (new_subject or not self._load_subject(kid, subject)):
                self._defer_keys(subject, at, pending)
            if kid in pending:
                return kid, pending[kid][1]
        cached = self._cached(kid)
        if cached is None:
            self._make_keys(subject, at)
            cached = self._in_memory(kid)
        key = cached[0] if cached is not None else None
        return (kid, key) if key is not None else None

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Keys made in this thread meanwhile wait to be written by the event store in the
        transaction of the events they seal (`pending_rows`), instead of one of their own:
        a person's registration is one write, and a key exists exactly when its events do.
        Kept in memory once the block ends without error; forgotten if it fails."""
        outer = self._pending_keys()
        pending: dict[UUID, tuple[tuple[str, ...], bytes]] = {}
        self._pending.keys = pending
        try:
            yield
        finally:
            self._pending.keys = outer
        for kid, (_, key) in pending.items():
            self._keep(kid, key, False)

    def pending_rows(self) -> list[tuple[str, ...]]:
        """The rows of the keys made in this thread's `deferred()` block, to be inserted with
        the events (a conflict with another process's key for the same person fails that
        transaction as an integrity error: the command is decided again and finds theirs)."""
        pending = self._pending_keys()
        return [row for row, _ in pending.values()] if pending else []

    def _pending_keys(self) -> dict[UUID, tuple[tuple[str, ...], bytes]] | None:
        return getattr(self._pending, "keys", None)

    def _defer_keys(
        self, subject: UUID, at: datetime, pending: dict[UUID, tuple[tuple[str, ...], bytes]]
    ) -> None:
        master, who, when = self.masters[0], str(subject), at.isoformat()
        secrets = os.urandom(44 * len(Keep))  # per key: 32 bytes of key (256-bit), 12 of nonce
        for index, (keep, kid) in enumerate(key_ids(subject).items()):
            key, nonce = secrets[44 * index : 44 * index + 32], secrets[44 * index + 32 : 44 * index + 44]
            wrapped = _b64(self._wrap(master, kid, key, nonce))
            pending[kid] = ((str(kid), who, keep.value, master.id, wrapped, when), key)

    def _load_subject(self, kid: UUID, subject: UUID) -> bool:
        """Whether the subject's key `kid` is known (in memory, or read now with the
        subject's other keys, erased ones included)."""
        if self._cached(kid) is not None:
            return True
        with self.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT key_id, master_id, wrapped, erase_after FROM {TABLE} WHERE subject_id = ?",
                (str(subject),),
            )
        self._keep_rows(rows)
        return self._in_memory(kid) is not None

    def _in_memory(self, kid: UUID) -> tuple[bytes | None, bool] | None:
        with self._lock:
            return self._cache.get(kid)

    def _keep_rows(self, rows: list[Any]) -> None:
        for kid_text, master_id, wrapped, erase_after in rows:
            kid = UUID(kid_text)
            key = None if wrapped is None else self._unwrap(master_id, kid, _unb64(wrapped))
            self._keep(kid, key, erase_after is not None)

    def _cached(self, kid: UUID) -> tuple[bytes | None, bool] | None:
        self._check_epoch()
        with self._lock:
            return self._cache.get(kid)

    def _check_epoch(self) -> None:
        """Drop the keys in memory when any process erased or held one since the last look."""
        now = time.monotonic()
        if now - self._epoch_checked < EPOCH_SECONDS:
            return
        with self.store.transaction() as tx:
            row = tx.fetchone(f"SELECT epoch FROM {EPOCH} WHERE id = 1")
        epoch = int(row[0]) if row else 0
        with self._lock:
            if epoch != self._epoch:
                self._cache.clear()
                self._epoch = epoch
            self._epoch_checked = now

    def _keep(self, kid: UUID, key: bytes | None, restricted: bool) -> None:
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[kid] = (key, restricted)

    def _make_keys(self, subject: UUID, at: datetime) -> None:
        """Make the subject's keys of every kind in one transaction (a person's first values
        need both), and keep them: whichever process made a key first, its key is the key."""
        pending: dict[UUID, tuple[tuple[str, ...], bytes]] = {}
        self._defer_keys(subject, at, pending)
        with self.store.transaction(write=True) as tx:
            for row, _ in pending.values():
                tx.execute(INSERT + " ON CONFLICT (key_id) DO NOTHING", row)
            rows = tx.fetchall(
                f"SELECT key_id, master_id, wrapped, erase_after FROM {TABLE} WHERE subject_id = ?",
                (str(subject),),
            )
        self._keep_rows(rows)

    def key(self, kid: UUID) -> bytes | None:
        """The unwrapped data key, or None if it does not exist or was erased."""
        return self.entry(kid)[0]

    def entry(self, kid: UUID) -> tuple[bytes | None, bool]:
        """The unwrapped data key (None if none or erased), and whether it is held for a CE
        record only: its person was erased, and only the CE records may still open it."""
        cached = self._cached(kid)
        if cached is not None:
            return cached
        with self.store.transaction() as tx:  # every key of the same person: the next is likely asked for too
            rows = tx.fetchall(
                f"SELECT key_id, master_id, wrapped, erase_after FROM {TABLE} WHERE subject_id = "
                f"(SELECT subject_id FROM {TABLE} WHERE key_id = ?)",
                (str(kid),),
            )
        self._keep_rows(rows)  # an unknown key is not kept: it may be made in a moment
        return self._in_memory(kid) or (None, False)

    def rows(self, subject: UUID) -> list[KeyRow]:
        """The subject's data keys as recorded (what exists, what is due to be erased when)."""
        with self.store.transaction() as tx:
            found = tx.fetchall(
                f"SELECT key_id, subject_id, keep, erase_after, erased_at FROM {TABLE} WHERE subject_id = ? "
                "ORDER BY keep",
                (str(subject),),
            )
        return [KeyRow(UUID(r[0]), UUID(r[1]), Keep(r[2]), r[3], r[4]) for r in found]

    def erase(self, subject: UUID, keep: Keep, at: datetime) -> None:
        """Destroy the subject's data key of `keep` (a tombstone stays, so none is made again)."""
        kid = key_id(subject, keep)
        with self.store.transaction(write=True) as tx:
            if not self.settings.uses_postgres:
                tx.execute("PRAGMA secure_delete = ON")  # overwrite the freed bytes in the file
            tx.execute(
                f"INSERT INTO {TABLE} (key_id, subject_id, keep, master_id, wrapped, created_at) "
                "VALUES (?, ?, ?, '', NULL, ?) ON CONFLICT (key_id) DO NOTHING",
                (str(kid), str(subject), keep.value, at.isoformat()),
            )
            tx.execute(
                f"UPDATE {TABLE} SET wrapped = NULL, master_id = '', erased_at = ? "
                "WHERE key_id = ? AND erased_at IS NULL",
                (at.isoformat(), str(kid)),
            )
            tx.execute(f"UPDATE {EPOCH} SET epoch = epoch + 1 WHERE id = 1")
        self._forget(kid)

    def schedule(self, subject: UUID, keep: Keep, erase_after: datetime, at: datetime) -> None:
        """Record when the subject's key of `keep` is due to be erased; until then it opens
        for CE records only (DataKeys.entry). A subject with no keys yet (whose values were
        stored before sealing) gets them now, so what is later sealed of theirs is held too."""
        if not any(row.keep == keep for row in self.rows(subject)):
            self._make_keys(subject, at)
        with self.store.transaction(write=True) as tx:
            tx.execute(
                f"UPDATE {TABLE} SET erase_after = ? WHERE key_id = ? AND erased_at IS NULL",
                (erase_after.isoformat(), str(key_id(subject, keep))),
            )
            tx.execute(f"UPDATE {EPOCH} SET epoch = epoch + 1 WHERE id = 1")
        self._forget(key_id(subject, keep))

    def due(self, now: datetime) -> list[KeyRow]:
        """Keys whose retention has ended and that are not erased yet."""
        with self.store.transaction() as tx:
            found = tx.fetchall(
                f"SELECT key_id, subject_id, keep, erase_after, erased_at FROM {TABLE} "
                "WHERE erased_at IS NULL AND erase_after IS NOT NULL AND erase_after <= ?",
                (now.isoformat(),),
            )
        return [KeyRow(UUID(r[0]), UUID(r[1]), Keep(r[2]), r[3], r[4]) for r in found]

    def rotate(self) -> int:
        """Re-wrap every data key not wrapped by the current master key; how many were."""
        current = self.masters[0]
        with self.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT key_id, master_id, wrapped FROM {TABLE} WHERE wrapped IS NOT NULL AND master_id <> ?",
                (current.id,),
            )
        for kid_text, master_id, wrapped in rows:
            kid = UUID(kid_text)
            key = self._unwrap(master_id, kid, _unb64(wrapped))
            assert key is not None
            with self.store.transaction(write=True) as tx:
                tx.execute(
                    f"UPDATE {TABLE} SET master_id = ?, wrapped = ? WHERE key_id = ? AND master_id = ?",
                    (current.id, _b64(self._wrap(current, kid, key)), kid_text, master_id),
                )
        return len(rows)

    def _wrap(self, master: MasterKey, kid: UUID, key: bytes, nonce: bytes | None = None) -> bytes:
        nonce = nonce or os.urandom(12)
        return nonce + master.aead.encrypt(nonce, key, kid.bytes)

    def _unwrap(self, master_id: str, kid: UUID, blob: bytes) -> bytes:
        master = next((m for m in self.masters if m.id == master_id), None)
        if master is None:
            raise DataKeyMissing(
                f"data key {kid} is wrapped by master key {master_id}, which {ENV} does not hold; "
                f"list every key not yet rotated away in {ENV} (new first, then old)"
            )
        try:
            return master.aead.decrypt(blob[:12], blob[12:], kid.bytes)
        except InvalidTag as error:
            raise DataKeyMissing(
                f"data key {kid} does not open with master key {master_id}: it was altered"
            ) from error

    def _forget(self, kid: UUID) -> None:
        with self._lock:
            self._cache.pop(kid, None)

    def close(self) -> None:
        if self._own_store:
            self.store.close()


class Sealer:
    """Seals JSON values under their person's key, and opens them again."""

    def __init__(self, keys: DataKeys) -> None:
        self.keys = keys
        self._ciphers: dict[bytes, AESGCM] = {}  # by data key: made once, not per value

    def _cipher(self, key: bytes) -> AESGCM:
        cipher = self._ciphers.get(key)
        if cipher is None:
            if len(self._ciphers) > 10_000:
                self._ciphers.clear()
            cipher = self._ciphers[key] = AESGCM(key)
        return cipher

    def seal(
        self, subject: UUID, keep: Keep, value: Any, at: datetime, new_subject: bool = False
    ) -> dict[str, str] | None:
        """The sealed form of `value` (JSON-ready) as stored; None when the subject was
        erased (their values are not stored again). `new_subject`: see DataKeys.key_for."""
        sealed = self.seal_all(subject, keep, [value], at, new_subject)
        return sealed[0] if sealed is not None else None

    def seal_all(
        self, subject: UUID, keep: Keep, values: list[Any], at: datetime, new_subject: bool = False
    ) -> list[dict[str, str]] | None:
        """`seal` for several values of one subject and kind: the key is looked up once."""
        found = self.keys.key_for(subject, keep, at, new_subject)
        if found is None:
            return None
        kid, key = found
        cipher, bound, name = self._cipher(key), kid.bytes, str(kid)
        nonces = os.urandom(12 * len(values))
        sealed = []
        for index, value in enumerate(values):
            nonce = nonces[12 * index : 12 * index + 12]
            box = cipher.encrypt(nonce, orjson.dumps(value), bound)
            sealed.append({"sealed": _b64(nonce + box), "key": name})
        return sealed

    def open(self, sealed: dict[str, str], ce_record: bool = False) -> tuple[bool, Any]:
        """(True, the value), or (False, None) when its key is erased, or when its person was
        erased and this is not a CE record's read (what retention keeps is for those only)."""
        kid = UUID(sealed["key"])
        key, restricted = self.keys.entry(kid)
        if key is None or (restricted and not ce_record):
            return False, None
        blob = _unb64(sealed["sealed"])
        try:
            return True, orjson.loads(self._cipher(key).decrypt(blob[:12], blob[12:], kid.bytes))
        except InvalidTag as error:
            raise DataKeyMissing(
                f"a value sealed under data key {kid} does not open: it was altered"
            ) from error
