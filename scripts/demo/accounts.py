"""The demo's people who sign in: one account for each kind of person, with printed
emails and one shared demo password, so `scripts/run` shows how each lands and works.

They are invited and accepted through the engine as real ones are (the invitation's
link is used at once instead of being mailed), and made once: a second run finds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.tokens import Grant, Principal
from aggregates.values import Discipline
from engine.application import QIEngine
from scripts.demo import data
from scripts.demo.steps import DEMO_COLLABORATIVE_ID, coach_for, demo_id, id_of_team

DEMO_PASSWORD = "kilograms every shift"  # the demo's only: printed, and shared by every demo account
ORGANISER = Principal.of_token(demo_id("token", "demo-organiser"), Grant(name="demo seed", role=Role.STAFF))


@dataclass(frozen=True)
class DemoAccount:
    email: str
    who: str  # the kind of person, and what they see first


def seed_accounts(engine: QIEngine) -> list[DemoAccount]:
    """Make (once) and list the demo's accounts."""
    first, physician_team = data.TEAMS[0], _team_with(Discipline.PHYSICIAN, besides=data.TEAMS[0])
    lead = _member(engine, first, None)
    physician = _member(engine, physician_team, Discipline.PHYSICIAN)
    coach = coach_for(first)
    people: list[tuple[DemoAccount, dict[str, Any]]] = [
        (DemoAccount("staff@demo.example", "staff: every collaborative, People, the audit"),
         {"name": "Jordan Ellis", "access": Access(role=Role.STAFF)}),
        (DemoAccount("lead@demo.example", f"team lead: lands on {first.name}"),
         {"participant_id": lead[0], "team_id": id_of_team(first), "discipline": lead[1], "member_role": lead[2]}),
        (DemoAccount("physician@demo.example", f"physician on {physician_team.name}: My credit, MOC Part 4"),
         {"participant_id": physician[0], "team_id": id_of_team(physician_team), "discipline": physician[1],
          "member_role": physician[2]}),
        (DemoAccount("coach@demo.example", f"coach ({coach.name}): My teams"),
         {"participant_id": demo_id("coach", coach.key), "team_id": id_of_team(first), "as_coach": True}),
        (DemoAccount("auditor@demo.example", "auditor of the demo collaborative: the audit explorer"),
         {"name": "Casey Moreno", "access": Access(role=Role.AUDITOR, collaborative_id=DEMO_COLLABORATIVE_ID)}),
    ]  # fmt: skip
    for account, fields in people:
        _invite_and_accept(engine, account.email, fields)
    return [account for account, _ in people]


def _invite_and_accept(engine: QIEngine, email: str, fields: dict[str, Any]) -> None:
    accounts = engine.accounts
    existing = accounts.by_email(email)
    if existing is not None and existing.state.status != "invited":
        return
    account = accounts.account(accounts.invite(ORGANISER, email=email, **fields))
    assert account is not None
    link = accounts.invitation_link(account)
    assert link is not None
    accounts.accept(link, DEMO_PASSWORD)


def _team_with(discipline: Discipline, besides: data.TeamSpec) -> data.TeamSpec:
    """A team (other than `besides`, whose lead has an account of their own) with a member of `discipline`."""
    return next(t for t in data.TEAMS if t != besides and any(p.discipline is discipline for p in t.members))


def _member(engine: QIEngine, team: data.TeamSpec, discipline: Discipline | None) -> tuple[UUID, str, str]:
    """A member of the team as its roster has them (id, discipline, role): the first, or
    the first of `discipline`."""
    members = engine.team(id_of_team(team)).state.members.values()
    chosen = next(m for m in members if discipline is None or m.discipline is discipline)
    return chosen.participant_id, chosen.discipline.value, chosen.role.value
