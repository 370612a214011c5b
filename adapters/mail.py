"""Where the outbox's messages go: a mail server over SMTP (QI_SMTP_HOST, with STARTTLS
and sign-in when configured), or, without one, a folder of .eml files (the embedded
default: `scripts/run` prints where), one per message, named by the message's id so a
message sent twice is one file."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from engine.outbox import Message, Outbox, Sender, Undeliverable, start_inprocess
from engine.settings import Settings

# RFC 5322 allows lines of 998 characters (78 is a recommendation). At 78, Python folds a
# subject of 70 to 78 characters onto a line of its own after "Subject:", and readers
# unfold that as a subject beginning with a space; with 998, a subject stays on its line.
_POLICY = policy.default.clone(max_line_length=998)


def _email(message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage(policy=_POLICY)
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(datetime.now(UTC))
    # The event's, not a fresh one (make_msgid's): a message sent again is known as the same.
    mail["Message-ID"] = f"<{message.id}@qi-collaborative>"
    mail.set_content(message.body)
    return mail


class SmtpSender:
    """One connection per round of the outbox, opened on the first message."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            s = self.settings
            assert s.smtp_host is not None
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10)
            try:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password or "")
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def send(self, message: Message) -> None:
        try:
            self._connection().send_message(_email(message, self.settings.smtp_from))
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _ in refused.recipients.values()]
            if all(500 <= code < 600 for code in codes):  # 5xx: permanent (RFC 5321, 4.2.1)
                raise Undeliverable(
                    f"the mail server refused {message.to}: {refused.recipients}"
                ) from refused
            self.close()
            raise
        except (OSError, smtplib.SMTPException):
            self.close()  # the next try opens a fresh connection
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None


class FolderSender:
    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: Message) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{message.id}.eml"
        partial = target.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(_email(message, self.sender).as_bytes())
        os.replace(partial, target)  # whole or not at all

    def close(self) -> None:
        pass


def sender_for(settings: Settings) -> Sender:
    if settings.smtp_host:
        return SmtpSender(settings)
    return FolderSender(settings.mail_outbox, settings.smtp_from)


def start_outbox(engine: object, site_url: str) -> Callable[[], None]:
    """Start sending the engine's mail on a thread; returns what stops it."""
    settings: Settings = engine.settings  # type: ignore[attr-defined]
    outbox = Outbox(engine, sender_for(settings), settings.public_url or site_url)
    return start_inprocess(outbox, settings.mail_interval)
