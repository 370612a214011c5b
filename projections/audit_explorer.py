"""What the audit explorer shows of each row, for people: the actor by name, the
collaborative and team by name, and which of them the reader may open; and what it offers
to filter by, by name. Built by engine.queries.audit from the trail and the names it knows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from uuid import UUID

from pydantic import BaseModel

from projections.audit_actors import AuditEntry

# Actors that are no account or token: the engine's own jobs, the command line, set-up
# scripts (`demo-coach:delgado`), named here in words.
SYSTEM_ACTORS = {"cli": "the command line", "erasure-sweep": "the erasure sweep"}


def actor_label(actor_id: str | None, role: str | None, names: Mapping[str, str]) -> str:
    """Who acted, in words: the person's or token's name; for an actor with neither, what it is."""
    if not actor_id:
        return "nobody recorded"
    if actor_id in names:
        return names[actor_id]
    if actor_id in SYSTEM_ACTORS:
        return SYSTEM_ACTORS[actor_id]
    kind, _, key = actor_id.partition(":")
    if kind == "account":
        return "an account no longer on record"
    if kind == "token":
        return "a service token no longer on record"
    if kind == "cli":
        return f"{key} at the command line"
    words = (key or kind).replace("-", " ").replace("_", " ")
    title = " ".join(w[:1].upper() + w[1:] for w in words.split())
    return f"{title} ({role})" if role and key else title


def event_words(action: str) -> str:
    """An event type in words: "PdsaPlanned" -> "PDSA planned"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", action).lower().split()
    text = " ".join("PDSA" if w == "pdsa" else w for w in words)
    return text[:1].upper() + text[1:]


class ExplorerRow(AuditEntry):
    """A row as the explorer shows it."""

    actor_label: str
    collaborative_title: str | None = None
    collaborative_link: bool = False  # the reader may open the collaborative's page
    team_name: str | None = None  # the row's team (the event is a team's)
    team_link: bool = False


class Choice(BaseModel):
    value: str
    label: str


class ExplorerChoices(BaseModel):
    """What the explorer's filters offer, by name: the collaboratives and teams the reader
    may see, the event types present and the people (and tokens) who acted."""

    collaboratives: list[Choice]
    teams: list[Choice]
    types: list[Choice]
    people: list[Choice]
    aggregate_types: list[Choice]


class ExplorerPage(BaseModel):
    rows: list[ExplorerRow]
    newer: int | None
    older: int | None
    names: dict[str, str]  # ids that payloads mention (teams, collaboratives) with their names


# What an event concerns, by the aggregate's module as the trail records it (aggregate_type).
AGGREGATE_WORDS = {
    "collaborative": "a collaborative", "team": "a team", "activity": "a learning activity",
    "participant": "a person", "accounts": "an account", "tokens": "a service token",
    "change_package": "a driver diagram", "resource": "a library resource", "toolkit": "a toolkit",
    "web_sessions": "a sign-in", "audit_rechain": "an audit re-chaining",
    "idempotency": "a command's receipt", "ids": "an id claim",
}  # fmt: skip


def team_of(row: AuditEntry, teams: Mapping[UUID, str]) -> str | None:
    return teams.get(row.aggregate_id) if row.aggregate_type == "team" else None
