"""Progress scores: how far a team has come, on the IHI Assessment Scale for Collaboratives.

Each month a team scores itself and its coach scores it, from 1 (a team forming) to 5
(outstanding, sustained results) in steps of 0.5, each with a short rationale. The
levels' words below are this engine's summary of the scale's anchors (IHI, "Assessment
Scale for Collaboratives"); they are shown to whoever scores. A later score by the same
rater for the same month replaces the earlier one, which stays in the history.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from aggregates.base import Value
from aggregates.errors import RuleViolation
from aggregates.personal import ERASED_TEXT, Personal, Sealed


class Rater(StrEnum):
    TEAM = "team"  # the team, scoring itself
    COACH = "coach"  # its coach (or faculty, for the coach)


# Free text written about a team: personal data, as a coaching note is (aggregates.personal).
Rationale = Annotated[str | Sealed, Personal(erased=ERASED_TEXT)]


class Level(Value):
    score: float
    name: str
    means: str


SCALE: tuple[Level, ...] = (
    Level(score=1.0, name="Forming team", means="The team is formed, its aim and the people it serves are chosen, and baseline measurement has begun."),
    Level(score=1.5, name="Planning begun", means="The team meets and plans its project; nothing is tested yet."),
    Level(score=2.0, name="Activity, no changes", means="The team studies, researches and discusses, but has tested no change."),
    Level(score=2.5, name="Changes tested, no improvement", means="PDSA cycles are run and data on the key measures reported, without improvement yet."),
    Level(score=3.0, name="Modest improvement", means="First cycles are complete and several changes are being put in place; process measures begin to improve."),
    Level(score=3.5, name="Improvement", means="Process measures keep improving and an outcome measure begins to; at least one change is in place for good."),
    Level(score=4.0, name="Significant improvement", means="Most changes are in place and outcome measures show sustained improvement, about halfway to the goals."),
    Level(score=4.5, name="Sustainable improvement", means="Improvement on outcome measures is sustained, most goals are met, and spread to more patients has begun."),
    Level(score=5.0, name="Outstanding sustainable results", means="Every goal of the aim is met, the measures are at their targets, and the changes are spreading elsewhere."),
)  # fmt: skip
LEVELS: dict[float, Level] = {level.score: level for level in SCALE}
HEADLINE = 4.0  # "how many teams are at 4 or more" is the collaborative's usual headline


def level_of(score: float) -> Level:
    """The scale's level of `score`; refused unless it is 1 to 5 in steps of 0.5."""
    level = LEVELS.get(float(score))
    if level is None:
        raise RuleViolation(f"a progress score is 1 to 5 in steps of 0.5 (1, 1.5, 2 … 5), not {score:g}")
    return level


class ProgressScore(Value):
    month: str
    rater: Rater
    score: float
    rationale: Rationale
    scored_by: str
    at: datetime
