"""The outbox: every message the engine sends leaves from the event that asks for it.

An invitation (AccountInvited, InvitationRenewed) and a password reset
(PasswordResetRequested) are events first; this follower reads them from the log after
its position (qi_projection_positions, "outbox"), writes each message and sends it, and
moves its position past an event only once the message left. A mail server that is down
delays a message, never loses it: the round fails, and the next one starts from the same
event. A crash between sending and moving on sends the message again (at least once);
each message's Message-ID is the event's, so a mailbox can tell a copy from a new message.

A message is written from the account as it is when sending: an invitation replaced by
a newer one, already accepted or expired, or a reset link used, replaced or expired, is
not sent (its link would not work; the newer event's message follows), nor anything to
a disabled account, an erased person's included. One process sends at a time (the
"outbox" leader lock).

A team's submitted monthly report (ReportSubmitted) tells its coach, at the coach's
account's address, with a link to the report; a coach without an account (or a disabled
or erased one), or a report reopened or answered since, is not written to.

A reminder (ReminderDue, recorded by engine/reminders.py) is written to its person's
account address, judged again first: an occasion that no longer holds (the data entered,
the report submitted, the invitation accepted), a kind the person turned off since, or an
account that cannot sign in, is not written to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.utils import get_topic

from aggregates.accounts import AccountInvited, InvitationRenewed, PasswordResetRequested, account_id
from aggregates.monthly_report import MonthlyReport, ReportStatus, ReportSubmitted
from aggregates.reminders import ReminderDue, ReminderKind
from engine import reminders
from engine.leader_locks import LeaderLock, leader_lock
from engine.log_position import LogPosition
from engine.readstore import ReadStore

log = logging.getLogger(__name__)
TOPICS = [
    get_topic(c)
    for c in (AccountInvited, InvitationRenewed, PasswordResetRequested, ReportSubmitted, ReminderDue)
]
PAGE = 100


@dataclass(frozen=True)
class Message:
    id: str  # the event's: "<account id>-<version>", for the Message-ID and the outbox file
    to: str
    subject: str
    body: str


class Undeliverable(Exception):
    """The mail server refused a message for good (its address does not exist, say): it
    is logged and passed over, so it does not hold back every message behind it."""


class Sender(Protocol):
    """Where messages go: a mail server, or a folder (adapters.mail)."""

    def send(self, message: Message) -> None:
        """Deliver `message`, or raise: the outbox tries the same message again next round
        (Undeliverable: the server refused it for good, and it is passed over)."""

    def close(self) -> None: ...


class Outbox:
    def __init__(self, engine: Any, sender: Sender, site_url: str, lock: LeaderLock | None = None) -> None:
        self.engine = engine
        self.sender = sender
        self.site_url = site_url.rstrip("/")
        self.lock = lock or leader_lock(engine.settings, "outbox")
        self._store: ReadStore | None = None
        self._position: LogPosition | None = None
        self._lock = threading.Lock()

    def _follower(self) -> LogPosition:
        if self._position is None:
            if self._store is None:
                self._store = ReadStore(self.engine.settings)  # beside the events: it cannot be rebuilt
            position = LogPosition(self._store, "outbox")
            position.prepare()  # kept only once it holds a row: without one, it never moves
            self._position = position
        return self._position

    def tick(self) -> int:
        """Send what was asked for since the last round; how many messages left. Raises
        when one could not be sent (what was sent before it stays sent)."""
        if not self.lock.try_acquire():
            return 0
        with self._lock:
            try:
                return self._round()
            finally:
                self.sender.close()  # one connection per round: a mail server drops idle ones

    def _round(self) -> int:
        position = self._follower()
        recorder, sent = self.engine.recorder, 0
        after = position.get()
        while page := recorder.select_notifications(after, PAGE, topics=TOPICS, inclusive_of_start=False):
            for notification in page:
                message = self.compose(self.engine.read_mapper.to_domain_event(notification))
                if message is not None:
                    try:
                        self.sender.send(message)
                        sent += 1
                    except Undeliverable as refused:
                        log.warning(
                            "message %s was refused for good and is passed over: %s", message.id, refused
                        )
                position.save(notification.id)
            after = page[-1].id
        return sent

    def compose(self, event: Any) -> Message | None:
        """The message an event asks for, written from the account as it is now; None when
        there is nothing worth sending any more (see the module's docstring)."""
        if isinstance(event, ReportSubmitted):
            return self._report_submitted(event)
        if isinstance(event, ReminderDue):
            return self._reminder(event)
        accounts = self.engine.accounts
        account = accounts.account(event.originator_id)
        if account is None or not isinstance(account.state.email, str):
            return None  # erased: nothing is sent to them
        s, now = account.state, self.engine.clock()
        person = accounts.principal(account).name
        message_id = f"{account.id}-{event.originator_version}"
        # The account's own judgement of the link (used, replaced, expired, or the account
        # disabled, as an erased person's is: a process may still hold their address).
        if isinstance(event, AccountInvited | InvitationRenewed):
            if account.invitation_problem(event.invitation_id, now) is not None:
                return None
            secret = accounts.invitation_link(account)
            expires = f"{s.invitation_expires_at:%-d %B %Y}" if s.invitation_expires_at else "soon"
            body = (
                f"Hello {person},\n\n"
                f"You are invited to the QI Collaborative{self._where(s.invited_team_id)}.\n"
                f"Set your password and sign in here (the link works once, until {expires}):\n\n"
                f"{self.site_url}/ui/invitations/{secret}\n\n"
                "If you did not expect this, you can ignore this message.\n"
            )
            return Message(message_id, s.email, "Your invitation to the QI Collaborative", body)
        if isinstance(event, PasswordResetRequested):
            if account.reset_problem(event.reset_id, now) is not None:
                return None
            secret = accounts.reset_link(account)
            body = (
                f"Hello {person},\n\n"
                "Someone (we hope you) asked to reset the password of your QI Collaborative account.\n"
                f"Choose a new one here (the link works once, for {self.engine.settings.reset_minutes} minutes):\n\n"
                f"{self.site_url}/ui/password-reset/{secret}\n\n"
                "If it was not you, ignore this message: your password stays as it is.\n"
            )
            return Message(message_id, s.email, "Reset your QI Collaborative password", body)
        return None

    def _report_submitted(self, event: ReportSubmitted) -> Message | None:
        """To the team's coach: the team's report for a month is waiting for their feedback."""
        report: MonthlyReport = self.engine.repository.get(event.originator_id)
        if report.state.status is not ReportStatus.SUBMITTED or report.state.submitted_at != event.timestamp:
            return None  # reopened, answered or submitted again since: that is what counts now
        team = self.engine.team(report.state.team_id)
        if team.state.coach_id is None:
            return None
        account = self.engine.accounts.account(account_id(team.state.coach_id))
        if (
            account is None
            or account.state.disabled_reason is not None
            or not isinstance(account.state.email, str)
        ):
            return None
        month = datetime.strptime(report.state.month, "%Y-%m")
        coach = self.engine.accounts.principal(account).name
        body = (
            f"Hello {coach},\n\n"
            f"{team.state.name} submitted its monthly report for {month:%B %Y}. Read it and answer it here:\n\n"
            f"{self.site_url}/ui/teams/{team.id}/reports/{report.state.month}\n"
        )
        subject = f"{team.state.name}: monthly report for {month:%B %Y}"
        return Message(f"{report.id}-{event.originator_version}", account.state.email, subject, body)

    def _reminder(self, event: ReminderDue) -> Message | None:
        """To the person reminded, if the occasion still holds and they still want it."""
        occasion, now = event.occasion, self.engine.clock()
        account = self.engine.accounts.account(account_id(event.participant_id))
        if (
            account is None
            or not isinstance(account.state.email, str)
            or not account.reminded_of(occasion.kind)
        ):
            return None
        invitation = occasion.kind is ReminderKind.INVITATION_WAITING
        if account.state.status != ("invited" if invitation else "active"):
            return None
        if not reminders.still_due(self.engine, occasion, event.participant_id, now):
            return None
        said = reminders.words(self.engine, occasion, now)
        link = f"/ui/invitations/{self.engine.accounts.invitation_link(account)}" if invitation else said.link
        person = self.engine.accounts.principal(account).name
        body = f"Hello {person},\n\n{said.text}\n{said.action}:\n\n{self.site_url}{link}\n"
        if not invitation:
            body += (
                "\nYou are sent this once. To stop reminders of this kind, turn them off on your account "
                f"page: {self.site_url}/ui/account#reminders\n"
            )
        return Message(
            f"{event.originator_id}-{event.originator_version}", account.state.email, said.subject, body
        )

    def _where(self, team_id: Any) -> str:
        if team_id is None:
            return ""
        try:
            return f", with the team {self.engine.repository.get(team_id).state.name}"
        except Exception:  # the team's name is a courtesy: the message goes without it
            return ""

    def close(self) -> None:
        self.sender.close()
        self.lock.release()
        if self._store is not None:
            self._store.close()
            self._store = self._position = None


def start_inprocess(outbox: Outbox, interval: float) -> Callable[[], None]:
    """Send every `interval` seconds on a thread (sooner after a failure is pointless: the
    mail server is down); returns what stops it."""
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(interval):
                try:
                    outbox.tick()
                except Exception:  # the mail server or the store: the next round tries again
                    log.warning(
                        "sending mail failed; the outbox tries again in %s s", interval, exc_info=True
                    )
        finally:
            outbox.close()

    thread = threading.Thread(target=run, name="qi-outbox", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(15)

    return halt
