"""The credit check, on both stores: a team of two physicians, a pharmacist, two nurses and
two paramedics attend a session offering every credit type (one physician's attendance
corrected), and the check lists exactly the learners and the activity that lack what a
report needs; as of a moment before the correction it counts the award standing then; a
learner who adds what they lacked leaves the list; a pharmacist's completion more than 60
days old is flagged; only staff and the collaborative's auditors may run it, over the API too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from uuid import uuid4

import pytest

from aggregates.activity_ids import ActivityIds
from aggregates.base import Role
from aggregates.learner_ids import BirthDay, BoardId, LearnerIds
from aggregates.participant import PersonDetails
from aggregates.tokens import Principal
from aggregates.values import CreditType, Discipline
from engine.commands.activity import RecordActivityIds, UpdateParticipant
from engine.errors import Forbidden
from engine.queries import Queries
from engine.read_models import ReadModels
from projections.credits.check import CreditCheck
from projections.credits.requirements import Report
from tests.conftest import Clock
from tests.credits.scenario import Scenario
from tests.store.backends import OnPostgreSQL, OnSQLite

EVERY = (CreditType.CME, CreditType.MOC_PART_2, CreditType.ACPE, CreditType.CNE, CreditType.CAPCE)
ROSTER = {
    "ada": (Discipline.PHYSICIAN, PersonDetails(name="Dr Ada Lee")),
    "raj": (Discipline.PHYSICIAN, PersonDetails(name="Dr Raj Rao")),
    "pia": (Discipline.PHARMACIST, PersonDetails(name="Pia Moss")),
    "ben": (Discipline.NURSE, PersonDetails(name="Ben Ortiz")),
    "cat": (Discipline.NURSE, PersonDetails(name="Cat Ng")),
    "cy": (Discipline.PARAMEDIC, PersonDetails(name="Cy Park")),
    "dot": (Discipline.PARAMEDIC, PersonDetails(name="Dot Hale")),
}
IDS = {
    "ada": LearnerIds(first_name="Ada", last_name="Lee", birth_day=BirthDay(month=2, day=29),
                      boards=(BoardId(board="ABP", number="123456"),)),
    "raj": LearnerIds(first_name="Raj", last_name="Rao"),  # no birthday, no board: CME only
    "pia": LearnerIds(first_name="Pia", last_name="Moss", nabp_eprofile_id="1234567"),  # no birthday
    "ben": LearnerIds(first_name="Ben", last_name="Ortiz"),
    "cat": None,  # no names on record
    "cy": LearnerIds(first_name="Cy", last_name="Park", nremt_id="E1234567"),
    "dot": LearnerIds(first_name="Dot", last_name="Hale"),  # neither NREMT number nor licence
}  # fmt: skip
# The activity is known to PARS and ACPE, not yet to CAPCE.
REGISTERED = ActivityIds(pars_activity_id="202512345", acpe_uan="0000-9999-25-001-L04-P")


def listed(check: CreditCheck) -> list[tuple[str, str, int, list[str]]]:
    return [(m.report.value, m.learner_name, m.completions, m.lacks) for m in check.learners]


class CreditCheckContract:
    @pytest.fixture
    def models(self, engine: object) -> Iterator[ReadModels]:
        models = ReadModels(engine)  # type: ignore[arg-type]
        yield models
        models.close()

    @pytest.fixture
    def world(self, engine: object, clock: Clock) -> Scenario:
        world = Scenario(engine, clock, roster=dict(ROSTER)).start()  # type: ignore[arg-type]
        for who, ids in IDS.items():
            name = ROSTER[who][1].name
            world.run(UpdateParticipant(participant_id=world.people[who],
                                        details=PersonDetails(name=name, learner=ids)))  # fmt: skip
        return world

    def test_the_check_lists_exactly_the_learners_and_activities_that_lack_what_a_report_needs(
        self, world: Scenario, models: ReadModels, clock: Clock
    ) -> None:
        session = world.session(offered=EVERY, accreditor=REGISTERED)
        for who in ROSTER:
            world.attend(session, who, 90)
        world.attend(session, "ada", 75)  # corrected: one award per credit type still stands
        assert world.collaborative
        check = models.credit_check(world.collaborative, clock.now.astimezone(UTC))
        assert listed(check) == [
            ("ACCME PARS (MOC)", "Dr Raj Rao", 1, ["no date of birth (month and day)", "no ABP board id"]),
            ("CPE Monitor", "Pia Moss", 1, ["no date of birth (month and day)"]),
            ("CAPCE", "Dot Hale", 1, ["no NREMT number or state licence"]),
            ("ANCC contact hours", "Cat Ng", 1, ["no first name", "no last name"]),
        ]
        assert [(a.report.value, a.title, a.completions, a.lacks) for a in check.activities] == [
            ("CAPCE", "Learning session 1", 2, ["the activity has no CAPCE course number"])
        ]
        assert {r.report: (r.learners, r.completions, r.ready) for r in check.reports} == {
            Report.PARS_CME: (2, 2, 2),
            Report.PARS_MOC: (2, 2, 1),
            Report.CPE_MONITOR: (1, 1, 0),
            Report.CAPCE: (2, 2, 0),
            Report.ANCC: (2, 2, 1),
        }
        assert not check.clean and check.late == []
        [figures] = check.figures  # what PARS asks to close the activity: each learner once
        assert (figures.title, figures.pars_activity_id, figures.physicians, figures.others) == (
            "Learning session 1",
            "202512345",
            2,
            5,
        )
        assert figures.by_discipline == {"nurse": 2, "paramedic": 2, "pharmacist": 1, "physician": 2}

    def test_as_of_a_past_moment_the_check_counts_the_awards_standing_then(
        self, world: Scenario, models: ReadModels, clock: Clock
    ) -> None:
        assert world.collaborative
        before = clock.now.astimezone(UTC)
        session = world.session(offered=EVERY, accreditor=REGISTERED)
        world.attend(session, "raj", 90)
        between = clock.now.astimezone(UTC)
        world.attend(session, "raj", 60)  # corrected
        assert models.credit_check(world.collaborative, before).reports == []
        assert models.credit_check(world.collaborative, before).figures == []
        then, now = models.credit_check(world.collaborative, between), models.credit_check(world.collaborative,
                                                                                           clock.now)  # fmt: skip
        assert (
            listed(then)
            == listed(now)
            == [
                ("ACCME PARS (MOC)", "Dr Raj Rao", 1, ["no date of birth (month and day)", "no ABP board id"])
            ]
        )
        assert then.model_dump(exclude={"as_of"}) == models.credit_check(world.collaborative, between).model_dump(
            exclude={"as_of"}
        )  # fmt: skip

    def test_a_learner_who_adds_what_they_lacked_leaves_the_list_from_that_moment_on(
        self, world: Scenario, models: ReadModels, clock: Clock
    ) -> None:
        assert world.collaborative
        session = world.session(offered=EVERY, accreditor=REGISTERED)
        world.attend(session, "pia", 60)
        before = clock.now.astimezone(UTC)
        fixed = LearnerIds(first_name="Pia", last_name="Moss", nabp_eprofile_id="1234567",
                           birth_day=BirthDay(month=7, day=4))  # fmt: skip
        world.run(UpdateParticipant(participant_id=world.people["pia"],
                                    details=PersonDetails(name="Pia Moss", learner=fixed)))  # fmt: skip
        check = models.credit_check(world.collaborative, clock.now.astimezone(UTC))
        assert listed(check) == [] and check.clean
        assert [(r.report, r.ready) for r in check.reports] == [(Report.CPE_MONITOR, 1)]
        then = models.credit_check(world.collaborative, before)  # her ids as they stood then
        assert listed(then) == [("CPE Monitor", "Pia Moss", 1, ["no date of birth (month and day)"])]

    def test_an_activity_whose_ids_are_recorded_once_assigned_leaves_the_list(
        self, world: Scenario, models: ReadModels, clock: Clock
    ) -> None:
        assert world.collaborative
        session = world.session(offered=EVERY)
        world.attend(session, "cy", 60)
        first = models.credit_check(world.collaborative, clock.now.astimezone(UTC))
        assert [(a.report, a.lacks) for a in first.activities] == [
            (Report.CAPCE, ["the activity has no CAPCE course number"])
        ]
        world.run(
            RecordActivityIds(activity_id=session, ids=ActivityIds(capce_course_number="26-QI-F1-0001"))
        )
        assert models.credit_check(world.collaborative, clock.now.astimezone(UTC)).clean

    def test_a_pharmacists_completion_older_than_60_days_is_flagged(
        self, world: Scenario, models: ReadModels, clock: Clock
    ) -> None:
        assert world.collaborative
        session = world.session(offered=EVERY, accreditor=REGISTERED)
        world.attend(session, "pia", 60)
        day = clock.now.date()
        assert models.credit_check(world.collaborative, clock.now + timedelta(days=59)).late == []
        late = models.credit_check(world.collaborative, clock.now + timedelta(days=61)).late
        assert [(c.learner_name, c.credit_date, c.days) for c in late] == [("Pia Moss", day, 61)]

    def test_only_staff_and_the_collaboratives_auditors_may_run_it(
        self, world: Scenario, models: ReadModels
    ) -> None:
        assert world.collaborative
        queries = Queries(models.engine, models)
        member = Principal(
            name="Dr Ada Lee", role=Role.TEAM, account_id=uuid4(), participant_id=world.people["ada"]
        )
        with pytest.raises(Forbidden, match="check the credit ledger"):
            queries.credit_check(member, world.collaborative)
        staff = Principal(name="Ann", role=Role.STAFF, staff=True)
        assert queries.credit_check(staff, world.collaborative).reports == []


class TestCreditCheckOnSQLite(CreditCheckContract, OnSQLite):
    pass


class TestCreditCheckOnPostgreSQL(CreditCheckContract, OnPostgreSQL):
    pass
