"""Each phase's exit criteria, judged as a pure function of settings and facts."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from aggregates.criteria import (
    DEFAULT_EXIT_CRITERIA,
    Criterion,
    ExitCriteriaSettings,
    PhaseFacts,
    TeamFacts,
    unmet_criteria,
)
from aggregates.phases import Phase
from tests.unit.builders import FULL_FOCUS

DEFAULTS = ExitCriteriaSettings(min_teams=2)


def team(name: str = "Mercy ED", **facts: object) -> TeamFacts:
    ready = {"has_assessment": True, "has_completed_pdsa": True, "measure_count": 1, "has_shared": True}
    return TeamFacts(team_id=uuid4(), name=name, **{**ready, **facts})  # type: ignore[arg-type]


def all_met() -> PhaseFacts:
    return PhaseFacts(
        **FULL_FOCUS.model_dump(),
        collaborative_measures=1,
        teams=(team("Mercy ED"), team("Big Sky EMS")),
        sessions_held_with_attendance=1,
    )


@pytest.mark.parametrize("phase", list(DEFAULT_EXIT_CRITERIA))
def test_every_phase_can_close_when_all_facts_hold(phase: Phase) -> None:
    assert unmet_criteria(phase, DEFAULTS, all_met()) == []


def _unmet(phase: Phase, **changes: object) -> list[Criterion]:
    facts = all_met().model_copy(update=changes)
    return [u.criterion for u in unmet_criteria(phase, DEFAULTS, facts)]


def test_focus_needs_area_aim_dates_and_a_collaborative_measure() -> None:
    assert _unmet(Phase.FOCUS, aim=None) == [Criterion.FOCUS_DEFINED]
    assert _unmet(Phase.FOCUS, collaborative_measures=0) == [Criterion.COLLABORATIVE_MEASURE]
    facts = PhaseFacts()
    unmet = unmet_criteria(Phase.FOCUS, DEFAULTS, facts)
    assert unmet[0].detail == "missing: focus area, aim statement, start date, end date"


def test_registration_needs_min_teams_active_teams() -> None:
    unmet = unmet_criteria(Phase.REGISTRATION, DEFAULTS, all_met().model_copy(update={"teams": (team(),)}))
    assert [(u.criterion, u.detail) for u in unmet] == [
        (Criterion.MIN_TEAMS, "1 active team(s) registered; at least 2 needed")
    ]


def test_orientation_names_the_teams_without_an_assessment() -> None:
    facts = all_met().model_copy(update={"teams": (team("A", has_assessment=False), team("B"))})
    [unmet] = unmet_criteria(Phase.ORIENTATION, DEFAULTS, facts)
    assert unmet.criterion is Criterion.ASSESSMENTS_COMPLETE
    assert unmet.detail.endswith("have not submitted a gap analysis or environmental scan: A")


def test_sessions_needs_a_learning_session_held_with_attendance() -> None:
    assert _unmet(Phase.SESSIONS, sessions_held_with_attendance=0) == [Criterion.SESSION_HELD]


def test_projects_needs_a_completed_cycle_and_data_for_every_measure() -> None:
    teams = (team("A", has_completed_pdsa=False), team("B", measures_without_data=("weight-kg",)))
    assert _unmet(Phase.PROJECTS, teams=teams) == [Criterion.PDSA_COMPLETED, Criterion.MEASURE_DATA]
    assert _unmet(Phase.PROJECTS, teams=(team("C", measure_count=0),)) == [Criterion.MEASURE_DATA]


def test_sharing_needs_every_team_to_have_shared() -> None:
    assert _unmet(Phase.SHARING, teams=(team("A", has_shared=False),)) == [Criterion.PROJECTS_SHARED]


def test_team_criteria_are_unmet_when_there_are_no_active_teams() -> None:
    for phase in (Phase.ORIENTATION, Phase.PROJECTS, Phase.SHARING):
        assert _unmet(phase, teams=()) != []


def test_community_of_practice_has_no_exit_criteria() -> None:
    assert unmet_criteria(Phase.COMMUNITY_OF_PRACTICE, DEFAULTS, PhaseFacts()) == []


def test_a_collaborative_may_choose_its_own_criteria_for_a_phase() -> None:
    settings = ExitCriteriaSettings(criteria={Phase.SESSIONS: (Criterion.ASSESSMENTS_COMPLETE,)})
    facts = all_met().model_copy(update={"sessions_held_with_attendance": 0})
    assert unmet_criteria(Phase.SESSIONS, settings, facts) == []
    assert settings.for_phase(Phase.FOCUS) == DEFAULT_EXIT_CRITERIA[Phase.FOCUS]


def test_the_closed_phase_takes_no_exit_criteria() -> None:
    with pytest.raises(ValidationError, match="closed phase has no exit"):
        ExitCriteriaSettings(criteria={Phase.CLOSED: (Criterion.MIN_TEAMS,)})


def test_min_teams_must_be_at_least_one() -> None:
    with pytest.raises(ValidationError):
        ExitCriteriaSettings(min_teams=0)
