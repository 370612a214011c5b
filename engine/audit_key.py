"""The key that signs audit digests: Ed25519, kept outside the database.

QI_AUDIT_KEY holds either the PEM itself (a value starting `-----BEGIN`) or the
path of a PEM file (PKCS#8, unencrypted, as `qi audit keygen` writes it). Only
the private key signs; anyone holding the public key can check a digest, so an
auditor never needs the signing key.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from engine.errors import NotConfigured

ENV = "QI_AUDIT_KEY"
PEM_START = "-----BEGIN"


class AuditKeyMissing(NotConfigured):
    def __init__(self) -> None:
        super().__init__(
            f"audit digests are off: {ENV} is not set; create a key with `qi audit keygen --out FILE` "
            f"and set {ENV}=FILE (or the PEM itself)"
        )


class AuditKeyUnusable(NotConfigured):
    """QI_AUDIT_KEY is set but names no usable Ed25519 private key (503)."""


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint of the public key, so a digest names the key that signed it."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:32]


@dataclass(frozen=True)
class VerifyingKey:
    """A public key that checks digests."""

    public: Ed25519PublicKey

    @property
    def id(self) -> str:
        return key_id(self.public)

    def verifies(self, signature: bytes, data: bytes) -> bool:
        """Whether `signature` is this key's signature of `data`."""
        try:
            self.public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo)."""
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


@dataclass(frozen=True)
class SigningKey:
    """The private key that signs digests."""

    private: Ed25519PrivateKey

    @property
    def verifying(self) -> VerifyingKey:
        return VerifyingKey(self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def signing_key(value: str | None) -> SigningKey:
    """The key QI_AUDIT_KEY names (`value`): AuditKeyMissing when unset, AuditKeyUnusable when wrong."""
    if not value or not value.strip():
        raise AuditKeyMissing()
    return load_signing_key(value, ENV)


def load_signing_key(value: str, setting: str) -> SigningKey:
    """The Ed25519 private key `value` holds (the PEM itself, or a PEM file's path), named
    in errors by the `setting` it came from; AuditKeyUnusable when it holds none."""
    pem = value.encode() if value.lstrip().startswith(PEM_START) else _read(Path(value), setting)
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise AuditKeyUnusable(f"{setting} holds no unencrypted PEM private key: {error}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise AuditKeyUnusable(f"{setting} holds a {type(private).__name__}, not an Ed25519 key")
    return SigningKey(private)


def verifying_key(pem: bytes, source: str) -> VerifyingKey:
    """The Ed25519 public key in `pem`, read from `source` (named in the error)."""
    try:
        public = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise AuditKeyUnusable(f"{source} holds no PEM public key") from None
    if not isinstance(public, Ed25519PublicKey):
        raise AuditKeyUnusable(f"{source} holds a {type(public).__name__}, not an Ed25519 key")
    return VerifyingKey(public)


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise AuditKeyUnusable(
            f"{setting}={path} cannot be read ({error.strerror}); set it to a PEM file or the PEM itself"
        ) from None


def generate_pem() -> str:
    """A new Ed25519 private key as unencrypted PKCS#8 PEM."""
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )


def write_new_key(path: Path) -> SigningKey:
    """Write a new key to `path`, readable by its owner only; never over an existing file."""
    pem = generate_pem()
    # O_EXCL: an existing key is never replaced; 0o600 from the first byte, not chmod after.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(pem)
    return signing_key(pem)
