"""The demo's assessment instrument: a pediatric-readiness-style readiness assessment, read
from scripts/demo/readiness_instrument.json (configuration, not domain code), defined by
staff in orientation; every team completes it as its baseline in December 2024 and again as
its follow-up in October 2025, the follow-up better where its changes held."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aggregates.assessment_instrument import InstrumentDefinition, ItemType
from aggregates.values import CareSetting
from engine.commands.instruments import CompleteInstrument, DefineInstrument
from scripts.demo import data
from scripts.demo.steps import DEMO_COLLABORATIVE_ID, Step, actor_of, at, demo_id, id_of_team

DEFINITION_FILE = Path(__file__).with_name("readiness_instrument.json")
INSTRUMENT_ID = demo_id("instrument", "readiness")
BARRIERS = ("Scales in the ED still show pounds", "No pediatric champion on nights", "Budget for equipment")


def readiness_definition() -> InstrumentDefinition:
    return InstrumentDefinition.model_validate(json.loads(DEFINITION_FILE.read_text()))


def readiness_assessments() -> Iterator[Step]:
    definition = readiness_definition()
    command = DefineInstrument(
        collaborative_id=DEMO_COLLABORATIVE_ID, instrument_id=INSTRUMENT_ID, definition=definition
    )
    yield Step(at(date(2024, 12, 3), 14), "instrument:readiness", command)
    for index, team in enumerate(data.TEAMS):
        for round_, day in (("baseline", date(2024, 12, 9)), ("follow-up", date(2025, 10, 22))):
            answers = _answers(definition, team, round_)
            complete = CompleteInstrument(
                team_id=id_of_team(team),
                assessment_id=demo_id("instrument-assessment", team.key, round_),
                instrument_id=INSTRUMENT_ID,
                answers=answers,
            )
            moment = at(day + timedelta(days=index % 5), 16)
            yield Step(moment, f"instrument:readiness:{team.key}:{round_}", complete, actor_of(team))


def _answers(definition: InstrumentDefinition, team: data.TeamSpec, round_: str) -> dict[str, Any]:
    rng = random.Random(f"instrument:{team.key}:{round_}")
    # Larger centres start better prepared; a year of work closes most gaps.
    ready = 0.65 if team.care_setting is CareSetting.ACADEMIC_CENTER else 0.4
    if round_ == "follow-up":
        ready += 0.35
    answers: dict[str, Any] = {}
    for item in definition.items:
        if item.type is ItemType.YES_NO:
            answers[item.key] = rng.random() < ready
        elif item.type is ItemType.CHOICE:
            worst_first = sorted(item.options, key=lambda o: o.points)
            answers[item.key] = worst_first[
                min(len(worst_first) - 1, int(rng.random() * ready * 2 * len(worst_first)))
            ].label
        elif item.key == "weight-kg":
            answers[item.key] = round(100 * (team.achieved if round_ == "follow-up" else team.baseline))
        elif item.type is ItemType.NUMBER:
            answers[item.key] = round(min(100, max(0, rng.gauss(100 * ready, 15))))
        elif round_ == "baseline":
            answers[item.key] = rng.choice(BARRIERS)
    return answers
