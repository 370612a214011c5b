"""The demo's QI training: two modules published after the second learning session, one
its recording with a knowledge check and CE as enduring material, one on reading run
charts; most team leads take them, some failing the check once before passing it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from aggregates.base import Actor, Role
from aggregates.training import ModuleDefinition
from engine.commands.training import PublishModule, TakeModule
from scripts.demo import data
from scripts.demo.figures import ACCREDITOR
from scripts.demo.steps import DEMO_COLLABORATIVE_ID, Roster, Step, at, demo_id

PDSA = demo_id("module", "pdsa-basics")
RUN_CHARTS = demo_id("module", "run-charts")
MODULES = (
    (PDSA, ModuleDefinition.model_validate({
        "title": "PDSA basics: the model for improvement",
        "summary": "The three questions, a small test of change, and what to study before acting.",
        "topics": ["pdsa"],
        "recorded_activity_id": demo_id("activity", "ls-2"),
        "check": {"pass_mark": 67, "questions": [
            {"prompt": "Which question comes first in the model for improvement?",
             "options": ["What change can we make?", "What are we trying to accomplish?", "How will we know?"], "correct": 1},
            {"prompt": "A first PDSA cycle should be", "options": ["as large as possible", "small and quick"], "correct": 1},
            {"prompt": "In the Study step, a team", "options": ["compares results with its prediction", "starts the next test"], "correct": 0},
        ]},
        "credit": {"credit_types": ["cme", "cne", "capce"], "hours": 1.0, "accrediting_body": ACCREDITOR,
                   "accreditor": {"pars_activity_id": "202500100", "capce_course_number": "25-PRQC-F3-0100"}},
    })),
    (RUN_CHARTS, ModuleDefinition.model_validate({
        "title": "Measurement basics: reading a run chart",
        "summary": "Median, shifts and trends: telling a signal from noise month by month.",
        "topics": ["measurement"],
        "check": {"pass_mark": 100, "questions": [
            {"prompt": "A run chart's centre line is the", "options": ["mean", "median"], "correct": 1},
            {"prompt": "How many points on one side of the centre line make a shift?", "options": ["4", "6", "10"], "correct": 1},
        ]},
    })),
)  # fmt: skip
STAFF = Actor(id="demo-staff", role=Role.STAFF)


def training(roster: Roster) -> Iterator[Step]:
    published = date(2025, 3, 17)
    for module_id, module in MODULES:
        command = PublishModule(collaborative_id=DEMO_COLLABORATIVE_ID, module_id=module_id, module=module)
        yield Step(at(published), f"training:{module_id}", command, STAFF)
    for index, team in enumerate(data.TEAMS[:8]):
        lead = roster[team.key][0]
        who = Actor(id=f"demo-person:{lead}", role=Role.TEAM)
        day = published + timedelta(days=3 + index * 2)
        attempts = [(1, 0, 0), (1, 1, 0)] if index % 3 == 2 else [(1, 1, 0)]  # some fail once, then pass
        for n, answers in enumerate(attempts):
            take = TakeModule(module_id=PDSA, participant_id=lead, answers=answers)
            yield Step(at(day + timedelta(days=n)), f"training:pdsa:{team.key}:{n}", take, who)
        if index < 5:
            take = TakeModule(module_id=RUN_CHARTS, participant_id=lead, answers=(1, 1))
            yield Step(at(day + timedelta(days=7)), f"training:run-charts:{team.key}", take, who)
