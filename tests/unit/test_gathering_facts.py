"""The exit criteria's facts, gathered by one pure function from one input shape (the
engine fills it from the aggregates, the dashboard from its rows)."""

from __future__ import annotations

from uuid import uuid4

from aggregates.criteria import ActivityInput, CriteriaInput, TeamInput, gather_facts
from aggregates.values import ActivityKind
from tests.unit.builders import FULL_FOCUS


def team_input(
    name: str,
    active: bool = True,
    assessed: bool = True,
    acted_cycles: int = 1,
    measure_points: dict[str, int] | None = None,
    shared: bool = True,
) -> TeamInput:
    """A team that has done everything every phase asks of it, but for what is given."""
    points = {"w": 3} if measure_points is None else measure_points
    return TeamInput(
        team_id=uuid4(), name=name, active=active, assessed=assessed, acted_cycles=acted_cycles,
        measure_points=points, shared=shared,
    )  # fmt: skip


def test_withdrawn_teams_are_left_out_and_the_rest_are_listed_by_name() -> None:
    given = CriteriaInput(
        teams=(team_input("mercy ED"), team_input("Gone", active=False), team_input("Big Sky EMS"))
    )
    assert [t.name for t in gather_facts(given).teams] == ["Big Sky EMS", "mercy ED"]


def test_each_team_fact_follows_from_what_the_team_has_done() -> None:
    given = CriteriaInput(
        teams=(
            team_input(
                "Mercy ED",
                assessed=False,
                acted_cycles=0,
                measure_points={"b": 0, "a": 2, "c": 0},
                shared=False,
            ),
        )
    )
    [facts] = gather_facts(given).teams
    assert (facts.has_assessment, facts.has_completed_pdsa, facts.has_shared) == (False, False, False)
    assert (facts.measure_count, facts.measures_without_data) == (3, ("b", "c"))


def test_only_learning_sessions_with_someone_attending_count_as_held() -> None:
    given = CriteriaInput(
        activities=(
            ActivityInput(kind=ActivityKind.LEARNING_SESSION, attendees=2),
            ActivityInput(kind=ActivityKind.LEARNING_SESSION, attendees=0),
            ActivityInput(kind=ActivityKind.COACHING_CALL, attendees=3),
        )
    )
    assert gather_facts(given).sessions_held_with_attendance == 1


def test_the_focus_and_the_distinct_collaborative_measures_pass_through() -> None:
    given = CriteriaInput(**FULL_FOCUS.model_dump(), measure_keys=("weight-kg", "weight-kg", "triage"))
    facts = gather_facts(given)
    assert (facts.aim, facts.starts_on, facts.collaborative_measures) == (
        FULL_FOCUS.aim,
        FULL_FOCUS.starts_on,
        2,
    )
