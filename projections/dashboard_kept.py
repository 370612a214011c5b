"""A collaborative's dashboard brought up to date from the one last built, instead of
built again over every team: the projection stamps each team row with the position of
the last event that changed what the dashboard shows of it, and the collaborative with
the last that changed its activities (`dashboard_stamps.py`), and keeps the counts of
teams as events arrive (`dashboard_tally.py`). So after one team's data point only that
team is read again, whether the collaborative has 50 teams or 5,000.

What comes out is exactly what `dashboard_view.dashboard` builds from the rows as they are
now; a dashboard that cannot be brought forward (a new team, a reader behind the kept
one, a great many changes) is built whole.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from aggregates.criteria import PhaseFacts, TeamFacts
from projections.base import Tx
from projections.dashboard_tables import TEAM
from projections.dashboard_view import (
    ActivityStatus,
    DashboardView,
    Head,
    TeamStatus,
    activities_of,
    assemble,
    facts_of,
    head_of,
    teams_of,
    unmet,
)

# Beyond this many changed teams, reading them one list at a time gains little on a whole build.
MOST_CHANGED = 500


@dataclass(frozen=True)
class Kept:
    """A collaborative's dashboard as of a position, with what bringing it forward needs."""

    position: int
    view: DashboardView
    head: Head
    at: Mapping[str, int]  # team id -> its place in view.teams
    facts: PhaseFacts  # what view.unmet_for_next_phase was judged on
    facts_at: Mapping[str, int]  # active team id -> its place in facts.teams


def dashboard_since(tx: Tx, collaborative_id: UUID, kept: Kept | None, position: int) -> Kept | None:
    """The dashboard as the rows are at `position`, from `kept` (None: built whole); None
    if the read model has no such collaborative."""
    found = head_of(tx, collaborative_id)
    if found is None:
        return None
    head, activities_at = found
    if kept is None or kept.position > position:
        return _whole(tx, collaborative_id, head, position)
    changed = [
        str(t)
        for (t,) in tx.fetchall(
            f"SELECT team_id FROM {TEAM} WHERE collaborative_id = ? AND changed_at > ?",
            (str(collaborative_id), kept.position),
        )
    ]
    if len(changed) > MOST_CHANGED or any(t not in kept.at for t in changed):
        return _whole(tx, collaborative_id, head, position)
    if not changed and activities_at <= kept.position and head == kept.head:
        return replace(kept, position=position)
    activities = (
        activities_of(tx, collaborative_id) if activities_at > kept.position else kept.view.activities
    )
    teams = list(kept.view.teams)
    rebuilt = teams_of(tx, collaborative_id, activities, changed) if changed else []
    for status in rebuilt:
        teams[kept.at[str(status.team_id)]] = status
    facts = _facts_forward(kept, head, rebuilt, activities)
    if facts is None:  # a team became active: the names' order is the whole build's to make
        return _whole(tx, collaborative_id, head, position)
    facts, facts_at, same = facts
    judged = kept.view.unmet_for_next_phase if same and head == kept.head else unmet(head, facts)
    view = assemble(tx, collaborative_id, head, teams, activities, judged)
    return Kept(position, view, head, kept.at, facts, facts_at)


def _whole(tx: Tx, collaborative_id: UUID, head: Head, position: int) -> Kept:
    activities = activities_of(tx, collaborative_id)
    teams = teams_of(tx, collaborative_id, activities)
    facts = facts_of(head, teams, activities)
    view = assemble(tx, collaborative_id, head, teams, activities, unmet(head, facts))
    at = {str(t.team_id): i for i, t in enumerate(teams)}
    return Kept(position, view, head, at, facts, {str(f.team_id): i for i, f in enumerate(facts.teams)})


def _facts_forward(
    kept: Kept, head: Head, rebuilt: Sequence[TeamStatus], activities: list[ActivityStatus]
) -> tuple[PhaseFacts, Mapping[str, int], bool] | None:
    """The kept facts with the rebuilt teams' put in their places (a withdrawn one taken
    out), whether they are the same as before, and None if a team joined the active ones."""
    base = facts_of(head, (), activities)
    fresh = {str(f.team_id): f for f in facts_of(head, rebuilt, activities).teams}
    if any(t not in kept.facts_at for t in fresh):
        return None
    teams: list[TeamFacts | None] = list(kept.facts.teams)
    same = base == kept.facts.model_copy(update={"teams": ()})
    for status in rebuilt:
        team_id = str(status.team_id)
        place = kept.facts_at.get(team_id)
        if place is not None:
            same = same and teams[place] == fresh.get(team_id)
            teams[place] = fresh.get(team_id)
    if all(t is not None for t in teams):
        return base.model_copy(update={"teams": tuple(teams)}), kept.facts_at, same
    active = tuple(t for t in teams if t is not None)
    return base.model_copy(update={"teams": active}), {str(f.team_id): i for i, f in enumerate(active)}, False


class KeptDashboards:
    """The dashboards read lately, each as of the position it was built at (least recently read goes first)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._kept: OrderedDict[UUID, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def view(self, tx: Tx, collaborative_id: UUID, position: int) -> DashboardView | None:
        """The collaborative's dashboard at `position` (the transaction's), brought forward from the kept one."""
        with self._lock:
            kept = self._kept.get(collaborative_id)
        fresh = dashboard_since(tx, collaborative_id, kept, position)
        with self._lock:
            if fresh is None:
                self._kept.pop(collaborative_id, None)
                return None
            current = self._kept.get(collaborative_id)
            if current is None or current.position <= fresh.position:  # a slower reader never goes back
                self._kept[collaborative_id] = fresh
            self._kept.move_to_end(collaborative_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return fresh.view
