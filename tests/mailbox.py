"""A real mail server for the tests: aiosmtpd on loopback, keeping every message it is
handed, optionally behind STARTTLS with a sign-in (a self-signed certificate for
127.0.0.1 made with cryptography). The mail tests and the outbox drill share it.

Under CI=true a server that cannot start fails the run; locally the test skips.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import re
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import IN_CI


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the mail tests must run)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool  # the session was upgraded with STARTTLS
    authenticated: bool  # the client signed in


class Collector:
    """aiosmtpd's handler: keeps each message's envelope. `hold` makes it keep the next
    message but answer it only once `release` is set, so a test can kill the client
    after the server has the message and before the client heard it was accepted."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.received = threading.Event()
        self.hold = False
        self.release = threading.Event()
        self.refuse: dict[str, str] = {}  # address -> the reply refusing it (e.g. "550 ...")

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                parsed,
                session.ssl is not None,
                bool(session.authenticated),
            )
        )
        self.received.set()
        if self.hold:
            self.hold = False
            deadline = time.monotonic() + 30
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"


class Mailbox:
    """An SMTP server on 127.0.0.1:`port`, started and stopped by hand (a server that is
    down, then up again on the same port)."""

    def __init__(self, port: int, **smtp: Any) -> None:
        self.port = port
        self.smtp = smtp
        self.handler = Collector()
        self._controller: Controller | None = None

    def start(self) -> Mailbox:
        controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **self.smtp)
        try:
            controller.start()
        except Exception as error:
            unavailable(f"aiosmtpd could not start on 127.0.0.1:{self.port}: {error!r}")
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.handler.messages]

    @property
    def recipients(self) -> list[str]:
        return [to for r in self.handler.messages for to in r.rcpt_tos]

    def message_to(self, address: str, subject: str, timeout: float = 15.0) -> EmailMessage:
        """The latest message to `address` whose subject holds `subject`, waiting for one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if address in str(m["To"]) and subject in str(m["Subject"])]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no message {subject!r} to {address} within {timeout} s")

    def wait_for(self, count: int, timeout: float) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.handler.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def link(message: EmailMessage, path: str, site: str = "http://127.0.0.1:8000") -> str:
    """The secret of the link to `path` (/ui/invitations/, /ui/password-reset/) on `site`
    in the message's body."""
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    found = re.findall(rf"{re.escape(site + path)}(\S+)", text)
    assert len(found) == 1, f"expected one {path} link in:\n{text}"
    return str(found[0])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (as an IP address: what the client checks) and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def password_check(user: str, password: str) -> Any:
    """An aiosmtpd authenticator that lets in `user` with `password` only."""

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            user.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)

    return authenticate
