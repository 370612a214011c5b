"""People's accounts: invitations, signing in, password resets, and who a person is to
the rules once signed in.

The account's story is events (aggregates.accounts); what must not be in an event lives
beside them: password hashes (engine.passwords), and the count of recent failed sign-ins
(qi_sign_in_failures) that locks an account for a while after repeated failures. Links
carry no stored secret (engine.link_tokens).

Nothing here tells whoever types an email whether it has an account: a wrong password,
an unknown email, a locked or disabled account and an unaccepted invitation all get the
same answer, after the same Argon2id work; a reset asked for an unknown email answers as
one asked for a known one, and the work behind it runs after the answer.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from aggregates.accounts import Access, Account, AccountInvited, EmailClaim, SignInMethod
from aggregates.base import Actor, CommandContext, Role
from aggregates.errors import DomainError
from aggregates.participant import Participant
from aggregates.tokens import Principal
from engine.commands.accounts import (
    AcceptInvitation,
    AskPasswordReset,
    ChangePassword,
    InvitePerson,
    LockAccount,
    RecordSignIn,
    ResetPassword,
)
from engine.errors import EngineError
from engine.link_tokens import INVITATION, RESET, email_claim_id, identity_key, link_secret, read_link
from engine.passwords import Passwords, password_problem
from engine.personal_data import DataKeys
from engine.readstore import ReadStore
from engine.settings import Settings


class Engine(Protocol):
    """What accounts use of the engine (QIEngine is one)."""

    settings: Settings
    data_keys: DataKeys
    repository: Any

    def clock(self) -> datetime: ...
    def context(self, actor: Actor, command_id: str | None = None) -> CommandContext: ...
    def execute(self, command: Any, ctx: CommandContext, expected_version: int | None = None) -> Any: ...
    def submit(self, principal: Principal, command: Any, command_id: str | None = None) -> Any: ...
    def created_ids(self, created_event: type[Any], page: int = 1000) -> list[UUID]: ...


log = logging.getLogger(__name__)
FAILURES = "qi_sign_in_failures"
FAILURES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {FAILURES} (account_id TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
    "since TEXT NOT NULL)"
)
SEEN = "qi_session_seen"
SEEN_DDL = f"CREATE TABLE IF NOT EXISTS {SEEN} (session_id TEXT PRIMARY KEY, seen_at TEXT NOT NULL)"
SEEN_EVERY = 60.0  # seconds: how often a busy session's last request is written down
WRONG = (
    "That email and password do not match an account that can sign in. Check both, or reset your password."
)


class LinkRefused(EngineError):
    """An invitation or reset link that cannot be used (unknown, used, replaced, expired)."""


class PasswordRefused(EngineError):
    """A new password that will not do; the message says why."""


def account_actor(account: UUID, role: Role) -> Actor:
    """The actor of what a person does signed in to their account."""
    return Actor(id=f"account:{account}", role=role)


@dataclass(frozen=True)
class SignedIn:
    account: Account
    principal: Principal


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.store = ReadStore(self.settings)  # beside the events: neither table can be rebuilt
        self.passwords = Passwords(self.store, self.settings.password_hashing)
        with self.store.transaction(write=True) as tx:
            tx.execute(FAILURES_DDL)
            tx.execute(SEEN_DDL)
        self._seen: dict[UUID, datetime] = {}  # sessions this process wrote down lately
        self._seen_lock = threading.Lock()

    def close(self) -> None:
        self.store.close()

    @functools.cached_property
    def _key(self) -> bytes:
        return identity_key(self.engine.data_keys)

    # -- finding ------------------------------------------------------------------
    def claim_id(self, email: str) -> UUID:
        return email_claim_id(self._key, email)

    def by_email(self, email: str) -> Account | None:
        claim = self._get(self.claim_id(email))
        if not isinstance(claim, EmailClaim) or claim.state.account_id is None:
            return None
        account = self._get(claim.state.account_id)
        return account if isinstance(account, Account) else None

    def account(self, account_id: UUID) -> Account | None:
        account = self._get(account_id)
        return account if isinstance(account, Account) else None

    def _get(self, aggregate_id: UUID) -> Any:
        try:
            return self.engine.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    # -- invitations ----------------------------------------------------------------
    def invite(self, principal: Principal, command_id: str | None = None, **fields: Any) -> UUID:
        """Staff's invitation (InvitePerson's fields but the claim): the account's id."""
        return self.send_invitation(principal, command_id, **fields).id

    def send_invitation(self, principal: Principal, command_id: str | None = None, **fields: Any) -> Any:
        """Staff's invitation, as the command's outcome. An email that already has an
        account invites its person again (a fresh link if they have not accepted yet; the
        new team or access if they have)."""
        email = str(fields.get("email", ""))
        command = InvitePerson(**fields, email_claim_id=self.claim_id(email))
        return self.engine.submit(principal, command, command_id)

    def invitation_link(self, account: Account) -> str | None:
        """The secret of the account's current invitation link (for the email), if any."""
        invitation = account.state.invitation_id
        return None if invitation is None else link_secret(self._key, INVITATION, account.id, invitation)

    def reset_link(self, account: Account) -> str | None:
        reset = account.state.reset_id
        return None if reset is None else link_secret(self._key, RESET, account.id, reset)

    def invitation(self, secret: str) -> Account:
        """The account an invitation link is for, while it can be used (LinkRefused if not)."""
        found = read_link(self._key, INVITATION, secret)
        account = self.account(found[0]) if found else None
        if found is None or account is None:
            raise LinkRefused(
                "this invitation link is not one this site sent; use the link in the email exactly"
            )
        problem = account.invitation_problem(found[1], self.engine.clock())
        if problem is not None:
            raise LinkRefused(problem)
        return account

    def accept(self, secret: str, password: str) -> SignedIn:
        """Set the invitee's password and sign them in."""
        account = self.invitation(secret)
        self._require_good(password, account)
        found = read_link(self._key, INVITATION, secret)
        assert found is not None
        self.passwords.set(account.id, password, self.engine.clock())
        self._run(account, AcceptInvitation(account_id=account.id, invitation_id=found[1]))
        return self.signed_in(account.id, "password")

    # -- signing in -----------------------------------------------------------------
    def sign_in(self, email: str, password: str) -> SignedIn | None:
        """The person, signed in, when the email and password are an account's that may
        sign in now; None otherwise, whichever the reason (see the module's docstring)."""
        account = self.by_email(email) if "@" in email else None
        ok = self.passwords.verify(account.id if account else None, password)
        if account is None:
            return None
        now = self.engine.clock()
        problem = account.sign_in_problem(now)
        if ok and problem is None:
            self._forget_failures(account.id)
            return self.signed_in(account.id, "password")
        if not ok and problem is None:
            self._count_failure(account, now)
        log.info("sign-in refused for account %s: %s", account.id, problem or "wrong password")
        return None

    def signed_in(self, account_id: UUID, method: SignInMethod) -> SignedIn:
        """Record a sign-in of the account (it proved who it is) and who it is now."""
        account = self.account(account_id)
        assert account is not None
        self._run(account, RecordSignIn(account_id=account.id, method=method))
        account = self.account(account_id)
        assert account is not None
        return SignedIn(account, self.principal(account))

    def single_sign_on(self, email: str) -> SignedIn | None:
        """Sign in the account whose email an OpenID provider verified, if it may sign in."""
        account = self.by_email(email)
        if account is None or account.sign_in_problem(self.engine.clock()) is not None:
            return None
        return self.signed_in(account.id, "single sign-on")

    def _count_failure(self, account: Account, now: datetime) -> None:
        window = timedelta(minutes=self.settings.lockout_minutes)
        with self.store.transaction(write=True) as tx:
            row = tx.fetchone(
                f"SELECT failures, since FROM {FAILURES} WHERE account_id = ?", (str(account.id),)
            )
            failures, since = (int(row[0]), datetime.fromisoformat(row[1])) if row else (0, now)
            if now - since > window:
                failures, since = 0, now
            failures += 1
            tx.execute(
                f"INSERT INTO {FAILURES} (account_id, failures, since) VALUES (?, ?, ?) ON CONFLICT (account_id) "
                "DO UPDATE SET failures = excluded.failures, since = excluded.since",
                (str(account.id), failures, since.isoformat()),
            )
        if failures >= self.settings.lockout_failures:
            self._forget_failures(account.id)
            self._run(account, LockAccount(account_id=account.id, until=now + window, failures=failures))

    def _forget_failures(self, account_id: UUID) -> None:
        with self.store.transaction(write=True) as tx:
            tx.execute(f"DELETE FROM {FAILURES} WHERE account_id = ?", (str(account_id),))

    # -- passwords ------------------------------------------------------------------
    def ask_reset(self, email: str) -> None:
        """Send a reset link if the email is an account's; the same, at once, either way."""
        threading.Thread(target=self._ask_reset, args=(email,), name="qi-password-reset", daemon=True).start()

    def _ask_reset(self, email: str) -> None:
        try:
            account = self.by_email(email) if "@" in email else None
            if account is not None and account.state.status != "disabled":
                self._run(account, AskPasswordReset(account_id=account.id))
        except Exception:  # the store is down: the person asks again; nothing was promised
            log.warning("a password reset could not be recorded", exc_info=True)

    def reset_account(self, secret: str) -> Account:
        found = read_link(self._key, RESET, secret)
        account = self.account(found[0]) if found else None
        if found is None or account is None:
            raise LinkRefused("this reset link is not one this site sent; use the link in the email exactly")
        problem = account.reset_problem(found[1], self.engine.clock())
        if problem is not None:
            raise LinkRefused(problem)
        return account

    def reset(self, secret: str, password: str) -> SignedIn:
        """Set a new password through a reset link: every earlier session ends, a lock lifts."""
        account = self.reset_account(secret)
        self._require_good(password, account)
        found = read_link(self._key, RESET, secret)
        assert found is not None
        self.passwords.set(account.id, password, self.engine.clock())
        self._run(account, ResetPassword(account_id=account.id, reset_id=found[1]))
        self._forget_failures(account.id)
        return self.signed_in(account.id, "password")

    def change_password(self, account_id: UUID, current: str, new: str) -> SignedIn:
        """A signed-in person's new password; their other sessions end (this one restarts)."""
        account = self.account(account_id)
        assert account is not None
        if not self.passwords.verify(account.id, current):
            raise PasswordRefused("your current password is not that; type it again")
        self._require_good(new, account)
        self.passwords.set(account.id, new, self.engine.clock())
        self._run(account, ChangePassword(account_id=account.id))
        return self.signed_in(account.id, "password")

    def _require_good(self, password: str, account: Account) -> None:
        email = account.state.email if isinstance(account.state.email, str) else None
        problem = password_problem(password, email)
        if problem is not None:
            raise PasswordRefused(problem)

    def _run(self, account: Account, command: Any) -> None:
        role = self.principal(account).role
        self.engine.execute(command, self.engine.context(account_actor(account.id, role)))

    # -- sessions -------------------------------------------------------------------
    def still_active(self, session: UUID, started_at: datetime, now: datetime) -> bool:
        """Whether a session was used within the idle limit (by any process), noting this
        use; written down at most every SEEN_EVERY seconds per session and process."""
        with self._seen_lock:
            noted = self._seen.get(session)
        if noted is not None and (now - noted).total_seconds() < SEEN_EVERY:
            return True
        idle = timedelta(minutes=self.settings.session_idle_minutes)
        with self.store.transaction(write=True) as tx:
            row = tx.fetchone(f"SELECT seen_at FROM {SEEN} WHERE session_id = ?", (str(session),))
            last = datetime.fromisoformat(row[0]) if row else started_at
            if now - last > idle:
                return False
            tx.execute(
                f"INSERT INTO {SEEN} (session_id, seen_at) VALUES (?, ?) ON CONFLICT (session_id) "
                "DO UPDATE SET seen_at = excluded.seen_at",
                (str(session), now.isoformat()),
            )
        with self._seen_lock:
            if len(self._seen) > 100_000:
                self._seen.clear()
            self._seen[session] = now
        return True

    # -- who they are ---------------------------------------------------------------
    def everyone(self) -> list[Account]:
        """Every account, in the order they were invited."""
        found = (self.account(i) for i in self.engine.created_ids(AccountInvited))
        return [a for a in found if a is not None]

    def actor_names(self) -> dict[str, str]:
        """Each account's actor id with the person's name and role, for display beside it."""
        names = {}
        for account in self.everyone():
            person = self.principal(account)
            names[account_actor(account.id, person.role).id] = f"{person.name} ({person.role.value})"
        return names

    def principal(self, account: Account) -> Principal:
        """The person as the rules see them: staff or auditor by their account's access, a
        member of the teams that list them, a coach of the teams they were assigned."""
        person: Any = self._get(account.state.participant_id)
        teams = tuple(person.state.teams) if isinstance(person, Participant) else ()
        coaches = bool(person.state.coaching) if isinstance(person, Participant) else False
        name = person.state.details.name if isinstance(person, Participant) else "erased person"
        access = account.state.access
        staff = any(a.role is Role.STAFF for a in access)
        audited = [a.collaborative_id for a in access if a.role is Role.AUDITOR]
        audits = None if None in audited else tuple(c for c in audited if c is not None)
        role = (
            Role.STAFF if staff else Role.COACH if coaches else Role.TEAM if teams
            else Role.AUDITOR if audited else Role.PERSON
        )  # fmt: skip
        return Principal(
            name=name if isinstance(name, str) else "erased person",
            role=role,
            account_id=account.id,
            participant_id=account.state.participant_id,
            team_ids=teams,
            coaches=coaches,
            staff=staff,
            audits=audits if audited else (),
        )


def access_of(role: Role, collaborative_id: UUID | None = None) -> Access:
    return Access(role=role, collaborative_id=collaborative_id)  # type: ignore[arg-type]


def refusal(error: DomainError | EngineError) -> str:
    return str(getattr(error, "message", error))
