"""Progress scores on a Team, given its history; and the suggested score's rule table,
given the evidence the engine found."""

from __future__ import annotations

import pytest

from aggregates.errors import ActivityNotAllowed, RuleViolation
from aggregates.phases import Phase
from aggregates.progress import LEVELS, SCALE, Rater
from aggregates.team import ProgressScored, Withdrawn
from projections.progress_suggestion import RULES_VERSION, RUNGS, Evidence, Found, suggest
from tests.unit.builders import ctx, new_team, then_events

S = Phase.SESSIONS


def test_a_team_scores_itself_for_a_month_with_its_rationale() -> None:
    team = new_team()
    team.score_progress(ctx(), S, "2025-02", Rater.TEAM, 2.5, "First cycles run, no change yet")
    (event,) = then_events(team)
    assert isinstance(event, ProgressScored)
    assert (event.month, event.rater, event.score) == ("2025-02", Rater.TEAM, 2.5)
    assert team.state.progress["2025-02/team"].rationale == "First cycles run, no change yet"


def test_the_coach_scores_the_same_month_beside_the_team_and_a_rescore_replaces_only_its_own() -> None:
    team = new_team()
    team.score_progress(ctx(), S, "2025-02", Rater.TEAM, 3.0, "We improved")
    team.score_progress(ctx(), S, "2025-02", Rater.COACH, 2.0, "No data on the measure yet")
    team.score_progress(ctx(), S, "2025-02", Rater.COACH, 2.5, "Data came in")
    assert len(then_events(team)) == 3
    assert {k: v.score for k, v in team.state.progress.items()} == {"2025-02/team": 3.0, "2025-02/coach": 2.5}


def test_the_same_score_sent_again_records_nothing() -> None:
    team = new_team()
    team.score_progress(ctx(), S, "2025-02", Rater.TEAM, 2.0, "Planning")
    then_events(team)
    team.score_progress(ctx(), S, "2025-02", Rater.TEAM, 2.0, "Planning")
    assert then_events(team) == []


@pytest.mark.parametrize("score", [0.5, 4.2, 5.5, 3.25])
def test_a_score_off_the_scale_is_refused_naming_the_steps(score: float) -> None:
    team = new_team()
    with pytest.raises(RuleViolation, match=r"1 to 5 in steps of 0\.5"):
        team.score_progress(ctx(), S, "2025-02", Rater.TEAM, score, "why")
    assert then_events(team) == []


def test_a_month_that_has_not_begun_is_refused() -> None:
    team = new_team()  # the clock of ctx() is 1 Mar 2025
    with pytest.raises(RuleViolation, match="2025-04 has not begun"):
        team.score_progress(ctx(), S, "2025-04", Rater.COACH, 3.0, "Too early")


def test_scores_start_with_the_learning_sessions_and_stop_when_a_team_withdraws() -> None:
    team = new_team()
    with pytest.raises(ActivityNotAllowed, match="score a team's progress"):
        team.score_progress(ctx(), Phase.ORIENTATION, "2025-02", Rater.TEAM, 1.0, "Forming")
    team.withdraw(ctx(), S, "merged with another ED")
    assert isinstance(then_events(team)[-1], Withdrawn)
    with pytest.raises(RuleViolation, match="has withdrawn"):
        team.score_progress(ctx(), S, "2025-02", Rater.TEAM, 1.0, "Forming")


def test_the_scale_has_nine_levels_from_forming_to_outstanding_each_with_words() -> None:
    assert [level.score for level in SCALE] == [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
    assert LEVELS[1.0].name == "Forming team" and LEVELS[5.0].name == "Outstanding sustainable results"
    assert all(level.means for level in SCALE)


HERE = Found("evidence", "/ui/teams/t")


def _evidence(*present: str) -> Evidence:
    return Evidence(**{name: [HERE] for name in present})


@pytest.mark.parametrize(
    ("present", "suggested"),
    [
        ((), None),
        (("aims",), 1.0),
        (("aims", "data"), 1.5),
        (("aims", "data", "planned"), 2.0),
        (("aims", "data", "planned", "tested"), 2.5),
        (("aims", "data", "planned", "tested", "improving"), 3.0),
        (("aims", "data", "planned", "tested", "improving", "improving_outcome"), 3.5),
        (("aims", "data", "planned", "tested", "improving", "improving_outcome", "sustained"), 4.0),
        (
            ("aims", "data", "planned", "tested", "improving", "improving_outcome", "sustained", "goals_met"),
            4.5,
        ),
        (tuple(Evidence.__dataclass_fields__), 5.0),
        # A rung counts only with every rung below it: a signal without a tested change is a 2.0.
        (("aims", "data", "planned", "improving", "sustained", "goals_met", "spread"), 2.0),
        (("data", "planned", "tested"), None),
    ],
)
def test_the_suggestion_is_the_highest_rung_reached_with_every_rung_below_it(
    present: tuple[str, ...], suggested: float | None
) -> None:
    suggestion = suggest(_evidence(*present))
    assert suggestion.score == suggested
    assert suggestion.rules_version == RULES_VERSION
    reached = [r.score for r in suggestion.rungs if r.reached]
    assert reached == [r.score for r in RUNGS if suggested is not None and r.score <= suggested]


def test_each_rung_names_what_it_needs_and_the_evidence_it_found() -> None:
    suggestion = suggest(_evidence("aims", "data"))
    first, second, third = suggestion.rungs[:3]
    assert first.found == [HERE] and "measure defined" in first.needs
    assert second.reached and "baseline" in second.needs
    assert not third.reached and third.found == [] and "PDSA" in third.needs
