"""Accounts through the engine: staff invite a person by email, the invitee sets a
password through their one-time link and is signed in; wrong passwords lock an account
for a while without telling anyone which emails have accounts; a reset by link ends
every earlier session; a person in two teams acts for both and no other; an erased
person cannot sign in. No secret is ever in an event. On both stores."""

from __future__ import annotations

from uuid import UUID

import pytest

from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.errors import DomainError
from aggregates.phases import Phase
from engine import web_sessions
from engine.accounts import WRONG, LinkRefused, PasswordRefused
from engine.application import QIEngine
from engine.commands.activity import ErasePerson
from engine.commands.team import SubmitData
from engine.errors import AlreadyExists, EngineError, Forbidden
from engine.queries import Queries
from engine.read_models import ReadModels
from projections.audit import AuditFilter
from tests.accounts.conftest import STAFF
from tests.conftest import Clock
from tests.store.lifecycle import Lifecycle

PASSWORD = "correct horse battery staple"


def invite_lead(life: Lifecycle, email: str = "dana@mercy.example", team: int = 0) -> UUID:
    return life.engine.accounts.invite(
        STAFF,
        email=email,
        name="Dana Reyes",
        team_id=life.teams[team],
        discipline="nurse",
        member_role="team_lead",
    )


def link(engine: QIEngine, account_id: UUID) -> str:
    account = engine.accounts.account(account_id)
    assert account is not None
    secret = engine.accounts.invitation_link(account)
    assert secret is not None
    return secret


def every_event_text(engine: QIEngine) -> str:
    notes = engine.recorder.select_notifications(1, 100_000)
    return "\n".join(f"{n.topic} {n.state.decode(errors='replace')}" for n in notes)


def test_an_invited_person_sets_a_password_through_their_link_and_is_signed_in(life: Lifecycle) -> None:
    engine = life.engine
    account_id = invite_lead(life)

    signed_in = engine.accounts.accept(link(engine, account_id), PASSWORD)

    person = signed_in.principal
    assert person.account_id == account_id and person.name == "Dana Reyes"
    assert person.team_ids == (life.teams[0],) and person.role is Role.TEAM
    assert engine.accounts.sign_in("DANA@mercy.example ", PASSWORD) is not None  # as people type it
    submitted = engine.submit(
        person,
        SubmitData(
            team_id=life.teams[0], measure_key="weight-kg", period="2025-01", numerator=3, denominator=4
        ),
    )
    assert submitted.id == life.teams[0]
    assert f'"actor_id":"account:{account_id}"' in every_event_text(engine)  # the events name the account


def test_an_invitation_link_works_once_and_not_after_it_expired_was_replaced_or_altered(
    life: Lifecycle, clock: Clock
) -> None:
    engine = life.engine
    first = invite_lead(life)
    old_link = link(engine, first)
    engine.accounts.invite(
        STAFF,
        email="dana@mercy.example",
        participant_id=engine.accounts.account(first).state.participant_id,
        team_id=life.teams[0],
        discipline="nurse",
    )  # type: ignore[union-attr]
    with pytest.raises(LinkRefused, match="replaced by a newer one"):
        engine.accounts.accept(old_link, PASSWORD)
    with pytest.raises(LinkRefused, match="not one this site sent"):
        engine.accounts.accept(link(engine, first)[:-2] + "xx", PASSWORD)
    with pytest.raises(PasswordRefused, match="at least 12 characters"):
        engine.accounts.accept(link(engine, first), "short")

    engine.accounts.accept(link(engine, first), PASSWORD)

    with pytest.raises(LinkRefused, match="already used"):
        engine.accounts.accept(link(engine, first), PASSWORD)
    late = invite_lead(life, "sam@bigsky.example", team=1)
    clock.advance(days=engine.settings.invitation_days, seconds=1)
    with pytest.raises(LinkRefused, match="expired"):
        engine.accounts.accept(link(engine, late), PASSWORD)


def test_repeated_wrong_passwords_lock_the_account_for_a_while_with_the_answer_an_unknown_email_gets(
    life: Lifecycle, clock: Clock
) -> None:
    engine = life.engine
    engine.accounts.accept(link(engine, invite_lead(life)), PASSWORD)
    assert engine.accounts.sign_in("nobody@mercy.example", PASSWORD) is None  # no account: None, as below

    for _ in range(engine.settings.lockout_failures):
        assert engine.accounts.sign_in("dana@mercy.example", "wrong password, surely") is None

    assert engine.accounts.sign_in("dana@mercy.example", PASSWORD) is None  # locked: the right one waits
    assert "AccountLocked" in every_event_text(engine)  # in the audit trail
    clock.advance(minutes=engine.settings.lockout_minutes, seconds=1)
    assert engine.accounts.sign_in("dana@mercy.example", PASSWORD) is not None
    assert WRONG.startswith("That email and password do not match")


def test_a_password_reset_by_email_link_ends_every_earlier_session(life: Lifecycle, clock: Clock) -> None:
    engine = life.engine
    account_id = invite_lead(life)
    signed_in = engine.accounts.accept(link(engine, account_id), PASSWORD)
    laptop = web_sessions.start_for(engine, signed_in.principal)
    assert web_sessions.principal_of(engine, laptop) is not None
    clock.advance(minutes=1)

    engine.accounts._ask_reset("dana@mercy.example")  # what ask_reset runs after answering
    account = engine.accounts.account(account_id)
    assert account is not None
    reset = engine.accounts.reset_link(account)
    assert reset is not None
    clock.advance(minutes=1)
    engine.accounts.reset(reset, "a brand new passphrase")

    assert web_sessions.principal_of(engine, laptop) is None
    assert engine.accounts.sign_in("dana@mercy.example", PASSWORD) is None
    assert engine.accounts.sign_in("dana@mercy.example", "a brand new passphrase") is not None
    with pytest.raises(LinkRefused, match="already used"):
        engine.accounts.reset(reset, "yet another passphrase")


def test_a_session_ends_after_sitting_idle_and_at_its_absolute_expiry(life: Lifecycle, clock: Clock) -> None:
    engine = life.engine
    person = engine.accounts.accept(link(engine, invite_lead(life)), PASSWORD).principal
    session = web_sessions.start_for(engine, person)
    clock.advance(minutes=engine.settings.session_idle_minutes - 1)
    assert web_sessions.principal_of(engine, session) is not None  # used in time: still on
    clock.advance(minutes=engine.settings.session_idle_minutes + 1)
    assert web_sessions.principal_of(engine, session) is None

    busy = web_sessions.start_for(engine, person)
    for _ in range(int(engine.settings.session_hours * 60 / 30) + 1):
        clock.advance(minutes=30)
        web_sessions.principal_of(engine, busy)
    assert web_sessions.principal_of(engine, busy) is None


def test_a_person_in_two_teams_acts_for_both_and_for_no_other(life: Lifecycle) -> None:
    engine = life.engine
    account_id = invite_lead(life)
    person = engine.accounts.accept(link(engine, account_id), PASSWORD).principal
    participant = engine.accounts.account(account_id).state.participant_id  # type: ignore[union-attr]
    engine.accounts.invite(
        STAFF,
        email="dana@mercy.example",
        participant_id=participant,
        team_id=life.teams[1],
        discipline="nurse",
    )
    person = engine.accounts.sign_in("dana@mercy.example", PASSWORD).principal  # type: ignore[union-attr]

    assert set(person.team_ids) == set(life.teams)
    for team in life.teams:
        engine.submit(
            person,
            SubmitData(team_id=team, measure_key="weight-kg", period="2025-02", numerator=1, denominator=2),
        )
    other = engine.accounts.invite(
        STAFF,
        email="sam@elsewhere.example",
        name="Sam",
        access=Access(role=Role.AUDITOR, collaborative_id=life.collaborative_id),
    )
    auditor = engine.accounts.accept(link(engine, other), PASSWORD).principal
    with pytest.raises(Forbidden):
        engine.submit(
            auditor,
            SubmitData(
                team_id=life.teams[0], measure_key="weight-kg", period="2025-03", numerator=1, denominator=2
            ),
        )


def test_an_email_belongs_to_one_account_and_inviting_it_again_reaches_the_same_person(
    life: Lifecycle,
) -> None:
    account_id = invite_lead(life)
    again = life.engine.accounts.invite(
        STAFF, email="Dana@Mercy.example", name="Dana R.", team_id=life.teams[1], discipline="nurse"
    )
    assert again == account_id  # the same person, now on both teams
    participant = life.engine.accounts.account(account_id).state.participant_id  # type: ignore[union-attr]
    assert set(life.engine.participant(participant).state.teams) == set(life.teams)
    someone_else = life.members[life.teams[1]][0]
    with pytest.raises(AlreadyExists, match="another person's account"):
        life.engine.accounts.invite(
            STAFF, email="dana@mercy.example", participant_id=someone_else, access=Access(role=Role.AUDITOR)
        )


def test_an_erased_person_cannot_sign_in_and_their_address_can_be_invited_again(life: Lifecycle) -> None:
    engine = life.engine
    account_id = invite_lead(life)
    person = engine.accounts.accept(link(engine, account_id), PASSWORD).principal
    session = web_sessions.start_for(engine, person)
    engine.submit(STAFF, ErasePerson(participant_id=person.participant_id, reason="their request of 1 March"))  # type: ignore[arg-type]

    assert engine.accounts.sign_in("dana@mercy.example", PASSWORD) is None
    assert web_sessions.principal_of(engine, session) is None
    assert (
        engine.accounts.invite(
            STAFF, email="dana@mercy.example", name="Dana Reyes", team_id=life.teams[1], discipline="nurse"
        )
        != account_id
    )


def test_no_password_or_link_secret_is_in_any_event(life: Lifecycle) -> None:
    engine = life.engine
    account_id = invite_lead(life)
    secret = link(engine, account_id)
    engine.accounts.accept(secret, PASSWORD)

    stored = every_event_text(engine)
    assert PASSWORD not in stored and secret.rsplit(".", 1)[1] not in stored
    assert "dana@mercy.example" not in stored  # the address is sealed, and the claim's id is a keyed digest


def test_staff_only_invite(life: Lifecycle) -> None:
    engine = life.engine
    lead = engine.accounts.accept(link(engine, invite_lead(life)), PASSWORD).principal
    with pytest.raises((Forbidden, DomainError, EngineError)):
        engine.accounts.invite(
            lead, email="x@mercy.example", name="X", team_id=life.teams[0], discipline="nurse"
        )


def test_an_auditor_of_one_collaborative_sees_its_events_in_the_audit_trail_and_no_other(
    life: Lifecycle, clock: Clock
) -> None:
    engine = life.engine
    other = Lifecycle(engine, clock)
    other.create()
    auditor_id = engine.accounts.invite(
        STAFF, email="ines@audit.example", name="Ines Auditor",
        access=Access(role=Role.AUDITOR, collaborative_id=life.collaborative_id),
    )  # fmt: skip
    auditor = engine.accounts.accept(link(engine, auditor_id), PASSWORD).principal
    models = ReadModels(engine)
    try:
        trail = Queries(engine, models).audit_trail(auditor, AuditFilter(limit=10_000))
        assert trail and {row.collaborative_id for row in trail} == {life.collaborative_id}
        with pytest.raises(Forbidden):
            Queries(engine, models).audit_trail(auditor, AuditFilter(collaborative=other.collaborative_id))
        queries = Queries(engine, models)
        assert queries.credits(auditor, life.collaborative_id) == []  # type: ignore[arg-type]
        with pytest.raises(Forbidden):
            queries.credits(auditor, other.collaborative_id)  # type: ignore[arg-type]
        other.advance(Phase.REGISTRATION)
        other.register_teams()
        someone_else = other.members[other.teams[0]][0]
        with pytest.raises(Forbidden):
            queries.participant(auditor, someone_else)
        with pytest.raises(Forbidden):
            queries.personal_data_export(auditor, someone_else)
        assert queries.participant(auditor, life.members[life.teams[0]][0])
        everything = Queries(engine, models).audit_trail(STAFF, AuditFilter(limit=10_000))
        assert {row.collaborative_id for row in everything} >= {
            life.collaborative_id,
            other.collaborative_id,
            None,
        }
    finally:
        models.close()
