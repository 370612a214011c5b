"""The credit ledger on a real store, SQLite and PostgreSQL: live credit by
discipline, reversals on corrected attendance, MOC Part 4 only when every
condition holds, transcripts, and rebuilds that equal the incremental rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aggregates.phases import Phase
from aggregates.values import CreditType, Discipline, MemberSpec
from engine.application import QIEngine
from engine.commands.team import RemoveMember
from engine.errors import NotFound
from engine.read_models import ReadModels
from projections.credits.ledger import ENTRIES
from projections.credits.schemas import CreditEntry, Transcript
from tests.conftest import Clock
from tests.credits.scenario import STAFF, Scenario
from tests.store.backends import OnPostgreSQL, OnSQLite, rows

MOC4 = CreditType.MOC_PART_4


def summary(entries: list[CreditEntry]) -> list[tuple[str, float, str | None]]:
    return [(e.credit_type.value, e.amount, e.reverses) for e in entries]


def moc4(transcript: Transcript) -> list[CreditEntry]:
    return [e for e in transcript.entries if e.credit_type is MOC4]


class CreditLedgerContract:
    @pytest.fixture
    def models(self, engine: QIEngine) -> Iterator[ReadModels]:
        models = ReadModels(engine)
        yield models
        models.close()

    @pytest.fixture
    def world(self, engine: QIEngine, clock: Clock) -> Scenario:
        return Scenario(engine, clock).start()

    def transcript(self, models: ReadModels, world: Scenario, who: str) -> Transcript:
        return models.transcript(world.people[who])

    def test_attendance_earns_each_person_the_offered_credit_of_their_discipline(
        self, world: Scenario, models: ReadModels
    ) -> None:
        session = world.session(max_hours=1.5)
        for who, minutes in (("doc", 75), ("nurse", 44), ("medic", 120), ("parent", 120)):
            world.attend(session, who, minutes)
        doc = self.transcript(models, world, "doc")
        assert summary(doc.entries) == [("cme", 1.25, None), ("moc_part_2", 1.25, None)]
        first = doc.entries[0]
        assert (first.rule_version, first.unit, first.accrediting_body, first.minutes) == (
            "ama-pra-1/2025.1",
            "hours",
            "AAP",
            75,
        )
        assert first.activity_id == session and first.activity_title == "Learning session 1"
        assert summary(self.transcript(models, world, "nurse").entries) == [("cne", 0.5, None)]
        assert summary(self.transcript(models, world, "medic").entries) == [("capce", 1.5, None)]
        assert self.transcript(models, world, "parent").entries == []

    def test_an_entry_names_its_source_event_and_the_rule_that_made_it(
        self, world: Scenario, models: ReadModels
    ) -> None:
        session = world.session(max_hours=1.0)
        world.attend(session, "doc", 100)
        position = world.position_of("AttendanceRecorded")
        (cme, moc2) = self.transcript(models, world, "doc").entries
        assert (cme.entry_id, cme.source_position, moc2.entry_id) == (
            f"{position}:cme",
            position,
            f"{position}:moc_part_2",
        )
        assert cme.amount == 1.0 and moc2.unit == "points"
        assert (
            cme.basis
            == "100 minutes attended = 1.5 h in quarter hours, rounded down; capped at the 1 h offered"
        )
        assert cme.credit_date.isoformat() == "2025-03-01"

    def test_an_activity_without_a_ce_offering_or_the_right_credit_type_awards_nothing(
        self, world: Scenario, models: ReadModels
    ) -> None:
        world.attend(world.session(ce=False), "doc", 120)
        world.attend(world.session(offered=(CreditType.ACPE,)), "nurse", 120)
        world.attend(world.session(), "nurse", 14)
        assert self.transcript(models, world, "doc").entries == []
        assert self.transcript(models, world, "nurse").entries == []

    def test_a_corrected_attendance_reverses_the_old_entries_then_adds_new_ones(
        self, world: Scenario, models: ReadModels
    ) -> None:
        session = world.session(max_hours=1.5)
        world.attend(session, "doc", 60)
        first = world.position_of("AttendanceRecorded")
        world.attend(session, "doc", 100)
        second = world.position_of("AttendanceRecorded")
        doc = self.transcript(models, world, "doc")
        assert summary(doc.entries) == [
            ("cme", 1.0, None),
            ("moc_part_2", 1.0, None),
            ("cme", 1.5, None),
            ("moc_part_2", 1.5, None),
        ]
        assert summary(doc.reversals) == [
            ("cme", -1.0, f"{first}:cme"),
            ("moc_part_2", -1.0, f"{first}:moc_part_2"),
        ]
        assert doc.reversals[0].entry_id == f"{second}:reverses:{first}:cme"
        assert doc.reversals[0].source_position == second
        assert doc.reversals[0].basis == "attendance corrected to 100 minutes"
        assert doc.entries[0].reversed_by == doc.reversals[0].entry_id and doc.entries[2].reversed_by is None
        assert [(t.credit_type.value, t.unit, t.amount) for t in doc.totals] == [
            ("cme", "hours", 1.5),
            ("moc_part_2", "points", 1.5),
        ]

    def test_a_second_correction_reverses_only_the_entries_still_standing(
        self, world: Scenario, models: ReadModels
    ) -> None:
        session = world.session()
        for minutes in (45, 90, 20):
            world.attend(session, "nurse", minutes)
        nurse = self.transcript(models, world, "nurse")
        assert summary(nurse.entries) == [("cne", 0.75, None), ("cne", 1.5, None), ("cne", 0.25, None)]
        assert [r.reverses for r in nurse.reversals] == [nurse.entries[0].entry_id, nurse.entries[1].entry_id]
        assert [r.amount for r in nurse.reversals] == [-0.75, -1.5]
        assert [(t.credit_type.value, t.amount) for t in nurse.totals] == [("cne", 0.25)]

    def test_a_correction_below_a_quarter_hour_leaves_only_the_reversal(
        self, world: Scenario, models: ReadModels
    ) -> None:
        session = world.session()
        world.attend(session, "medic", 60)
        world.attend(session, "medic", 10)
        medic = self.transcript(models, world, "medic")
        assert summary(medic.entries) == [("capce", 1.0, None)]
        assert summary(medic.reversals) == [("capce", -1.0, medic.entries[0].entry_id)]
        assert [(t.credit_type.value, t.amount) for t in medic.totals] == [("capce", 0.0)]

    def test_moc_part_4_waits_until_every_condition_holds_then_comes_from_the_completing_event(
        self, world: Scenario, models: ReadModels
    ) -> None:
        world.attest("doc")
        world.cycle(linked=False)
        world.submit_months(6)
        assert moc4(self.transcript(models, world, "doc")) == [], "one cycle, no link yet"
        world.cycle(linked=True, act=False)
        assert moc4(self.transcript(models, world, "doc")) == [], "the linked cycle's act is not decided"
        world.cycle(linked=False)
        world.cycle(linked=True)
        acted = world.position_of("PdsaActed")
        (entry,) = moc4(self.transcript(models, world, "doc"))
        assert (entry.amount, entry.unit, entry.source_position) == (25.0, "points", acted)
        assert (entry.accrediting_body, entry.rule_version) == (
            "American Board of Pediatrics",
            "abp-moc-4/2025.1",
        )
        assert (entry.team_id, entry.collaborative_id, entry.activity_id) == (
            world.team,
            world.collaborative,
            None,
        )
        assert entry.entry_id == f"{acted}:moc_part_4:{world.people['doc']}"

    def test_moc_part_4_needs_six_months_of_data(self, world: Scenario, models: ReadModels) -> None:
        world.cycle(linked=False)
        world.cycle(linked=True)
        world.attest("doc")
        world.submit_months(5)
        assert moc4(self.transcript(models, world, "doc")) == []
        world.submit_months(1)
        (entry,) = moc4(self.transcript(models, world, "doc"))
        assert entry.source_position == world.position_of("DataPointSubmitted")

    def test_moc_part_4_needs_the_attestation_and_is_awarded_once(
        self, world: Scenario, models: ReadModels
    ) -> None:
        world.cycle(linked=False)
        world.cycle(linked=True)
        world.submit_months(6)
        assert moc4(self.transcript(models, world, "doc")) == []
        world.attest("doc")
        (entry,) = moc4(self.transcript(models, world, "doc"))
        assert entry.source_position == world.position_of("MocPart4Attested")
        world.attest("doc", "A revised statement of my part.")
        world.cycle(linked=True)
        world.submit_months(2)
        assert len(moc4(self.transcript(models, world, "doc"))) == 1

    def test_moc_part_4_is_only_for_physicians(self, world: Scenario, models: ReadModels) -> None:
        world.attest("nurse")
        world.cycle(linked=False)
        world.cycle(linked=True)
        world.submit_months(6)
        assert moc4(self.transcript(models, world, "nurse")) == []
        assert moc4(self.transcript(models, world, "doc")) == []

    def test_moc_part_4_is_not_awarded_to_a_physician_removed_from_the_team_before_it_was_complete(
        self, world: Scenario, models: ReadModels
    ) -> None:
        world.attest("doc")
        world.cycle(linked=False)
        world.cycle(linked=True)
        world.run(RemoveMember(team_id=world.team, participant_id=world.people["doc"]))
        world.submit_months(6)
        assert moc4(self.transcript(models, world, "doc")) == []

    def test_repeating_an_identical_attestation_records_nothing(self, world: Scenario) -> None:
        assert world.attest("doc").events == ["MocPart4Attested"]
        assert world.attest("doc").events == []

    def test_the_transcript_of_an_unknown_participant_is_not_found(
        self, world: Scenario, models: ReadModels
    ) -> None:
        with pytest.raises(NotFound):
            models.transcript(world.team)  # type: ignore[arg-type]

    def test_a_collaboratives_credits_carry_the_learners_name_and_licences(
        self, world: Scenario, models: ReadModels
    ) -> None:
        session = world.session()
        world.attend(session, "nurse", 60)
        world.attend(session, "doc", 30)
        assert world.collaborative
        rows = models.credits(world.collaborative)
        assert [(r.learner_name, r.licences, r.credit_type.value, r.amount) for r in rows] == [
            ("Ben Ortiz", ["RN RN-77 (MT)"], "cne", 1.0),
            ("Dr Ada Lee", ["ABP 123456"], "cme", 0.5),
            ("Dr Ada Lee", ["ABP 123456"], "moc_part_2", 0.5),
        ]

    def test_a_discipline_another_collaboratives_team_recorded_does_not_decide_credit_here(
        self, world: Scenario, models: ReadModels, engine: QIEngine, clock: Clock
    ) -> None:
        # History appended before teams were held to their own collaborative's people:
        # a team of a second collaborative lists this collaborative's nurse as a physician.
        other = Scenario(engine, clock).start()
        assert other.team
        team = engine.team(other.team)
        physician = MemberSpec(participant_id=world.people["nurse"], discipline=Discipline.PHYSICIAN)
        team.add_member(engine.context(STAFF), Phase.SESSIONS, physician)
        engine.save(team)
        world.attend(world.session(), "nurse", 60)
        assert summary(self.transcript(models, world, "nurse").entries) == [("cne", 1.0, None)]
        elsewhere = other.session()
        other.people["nurse"] = world.people["nurse"]
        other.attend(elsewhere, "nurse", 60)  # there she is the physician that team recorded
        assert {e.credit_type.value for e in self.transcript(models, world, "nurse").entries} == {
            "cne",
            "cme",
            "moc_part_2",
        }

    def test_a_rebuilt_ledger_equals_the_incremental_one(self, world: Scenario, models: ReadModels) -> None:
        models.runner.batch_size = 7  # many small batches, so batch edges fall mid-story
        session = world.session()
        for who, minutes in (("doc", 60), ("nurse", 30), ("doc", 95), ("medic", 120), ("doc", 15)):
            world.attend(session, who, minutes)
            models.wait_for()
        world.attest("doc")
        world.cycle(linked=False)
        world.cycle(linked=True)
        world.submit_months(6)
        models.wait_for()
        tables = sorted(models.runner.projections["credits"].tables)
        incremental = {t: rows(models, t) for t in tables}
        assert len(incremental[ENTRIES]) == 13  # 8 awards, 4 reversals, 1 MOC Part 4
        models.runner.batch_size = 500
        models.runner.rebuild("credits")
        assert {t: rows(models, t) for t in tables} == incremental


class TestCreditLedgerOnSQLite(OnSQLite, CreditLedgerContract):
    """The contract on SQLite."""


class TestCreditLedgerOnPostgreSQL(OnPostgreSQL, CreditLedgerContract):
    """The contract on PostgreSQL."""
