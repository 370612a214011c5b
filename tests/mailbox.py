"""A real SMTP server for tests (aiosmtpd), holding every message it receives."""

from __future__ import annotations

import email
import re
import threading
import time
from email.message import Message
from typing import Any

from tests.conftest import free_port


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def start(self) -> Mailbox:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def to(self, address: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, subject: str, after: int = 0, timeout: float = 15.0) -> Message:
        """The first message to `address` whose subject holds `subject`, beyond the first `after` ones."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.to(address) if subject in m["Subject"]]
            if len(found) > after:
                return found[after]
            time.sleep(0.05)
        raise AssertionError(f"no message {subject!r} to {address} within {timeout} s")


def link_in(message: Message, path: str) -> str:
    """The link in a message's text whose path starts with `path`, as a path and query."""
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]+)", body)
    assert found, f"no {path} link in:\n{body}"
    return found.group(1)
