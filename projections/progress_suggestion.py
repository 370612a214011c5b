"""A suggested progress score, from the evidence the engine holds, beside the human ones.

The rule table below is explicit and versioned: a rung of the IHI Assessment Scale is
reached when its evidence is there and every rung below it is reached too, and the
suggestion is the highest rung reached. Each rung names the evidence it found, with a
link to where it is, so a team and its coach can see why. It suggests; people score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

RULES_VERSION = "2026.12-1"
SUSTAINED_MONTHS = 6  # the last this many months better than the baseline's centre line


@dataclass(frozen=True)
class Found:
    """One piece of evidence: what it is, in words, and where to see it."""

    label: str
    href: str


@dataclass(frozen=True)
class Evidence:
    """What a team's record shows, gathered by engine.queries.progress."""

    aims: list[Found] = field(default_factory=list)  # measures defined: the aim made measurable
    data: list[Found] = field(default_factory=list)  # measures with data reported
    planned: list[Found] = field(default_factory=list)  # PDSA cycles planned
    tested: list[Found] = field(default_factory=list)  # cycles studied, linked to a measure with data
    improving: list[Found] = field(default_factory=list)  # a signal of improvement on a measure's chart
    improving_outcome: list[Found] = field(default_factory=list)  # ... on an outcome measure's
    sustained: list[Found] = field(default_factory=list)  # improvement sustained toward the goal
    goals_met: list[Found] = field(default_factory=list)  # the latest month at or past the goal
    spread: list[Found] = field(default_factory=list)  # another team tries a change this team shared


@dataclass(frozen=True)
class Rung:
    score: float
    needs: str
    evidence: Callable[[Evidence], list[Found]]


RUNGS: tuple[Rung, ...] = (
    Rung(1.0, "an aim made measurable: a measure defined", lambda e: e.aims),
    Rung(1.5, "baseline measurement begun: data reported on a measure", lambda e: e.data),
    Rung(2.0, "a change planned: a PDSA cycle", lambda e: e.planned),
    Rung(2.5, "a change tested against a charted measure: a cycle studied", lambda e: e.tested),
    Rung(3.0, "a signal of improvement on a measure's chart", lambda e: e.improving),
    Rung(3.5, "a signal of improvement on an outcome measure", lambda e: e.improving_outcome),
    Rung(4.0, f"improvement sustained: the last {SUSTAINED_MONTHS} months better than the baseline", lambda e: e.sustained),
    Rung(4.5, "a goal reached: the latest month at or past a measure's goal", lambda e: e.goals_met),
    Rung(5.0, "spread: another team tries a change this team shared", lambda e: e.spread),
)  # fmt: skip


@dataclass(frozen=True)
class RungFound:
    score: float
    needs: str
    reached: bool
    found: list[Found]


@dataclass(frozen=True)
class Suggestion:
    score: float | None  # None: not even a measure yet
    rungs: list[RungFound]
    rules_version: str = RULES_VERSION


def suggest(evidence: Evidence) -> Suggestion:
    """The highest rung reached with every rung below it, and what each rung found."""
    rungs, score, climbing = [], None, True
    for rung in RUNGS:
        found = rung.evidence(evidence)
        climbing = climbing and bool(found)
        if climbing:
            score = rung.score
        rungs.append(RungFound(rung.score, rung.needs, climbing, found))
    return Suggestion(score, rungs)
