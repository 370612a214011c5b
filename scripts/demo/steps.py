"""The demo's fixed ids, its actors and the Step each command of the year is run as.

Every id the seed creates is derived from a name, so an interrupted seed run again
names everything the same and its commands are recognised as already done.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NamedTuple
from uuid import UUID

from aggregates.base import Actor, Role
from aggregates.ids import named_id
from aggregates.phases import Phase
from aggregates.resource import StoredFile
from engine.commands import Command
from scripts.demo import data

NAMESPACE = UUID("0b7f3c52-9d1e-4e8a-b6a4-5c2f81d9e317")
DEMO_COLLABORATIVE_ID = named_id(NAMESPACE, "prqc-demo")
STAFF = Actor(id="demo-staff", role=Role.STAFF)
PHASE_DATES: dict[Phase, date] = {
    Phase.REGISTRATION: date(2024, 10, 15),
    Phase.ORIENTATION: date(2024, 12, 2),
    Phase.SESSIONS: data.STARTS_ON,
    Phase.PROJECTS: date(2025, 4, 14),
    Phase.SHARING: date(2025, 10, 20),
    Phase.COMMUNITY_OF_PRACTICE: date(2025, 12, 15),
}
# Teams are registered with fresh people, so their ids come back from the
# registration; the rest of the seed refers to members by position.
Roster = dict[str, list[UUID]]
# The library's files, as the file store holds them, by resource key.
Files = dict[str, StoredFile]


def demo_id(*parts: str) -> UUID:
    """A fixed id for something the seed creates, so every run names it the same."""
    return named_id(NAMESPACE, ":".join(parts))


PAPER_ID = demo_id("output", "summative-paper")
TOOLKIT_ID = demo_id("toolkit", "every-child-in-kilograms")


class Step(NamedTuple):
    """One command of the year, with the moment it would really have been given and by whom."""

    at: datetime
    key: str
    command: Command
    actor: Actor = STAFF


def at(day: date, hour: int = 15, minute: int = 0) -> datetime:
    """A moment of the simulated year, in UTC (mid-afternoon unless said)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def id_of_team(team: data.TeamSpec) -> UUID:
    return demo_id("team", team.key)


def id_of_cycle(team: data.TeamSpec, number: int | str) -> UUID:
    return demo_id("cycle", team.key, str(number))


def actor_of(team: data.TeamSpec) -> Actor:
    return Actor(id=f"demo-team:{team.key}", role=Role.TEAM)


def coach_for(team: data.TeamSpec) -> data.Coach:
    """Coaches are matched to teams by care setting."""
    return next(c for c in data.COACHES if team.care_setting in c.settings)


def team_named(key: str) -> data.TeamSpec:
    return next(team for team in data.TEAMS if team.key == key)


def id_of_node(key: str) -> UUID:
    return demo_id("change-package", key)
