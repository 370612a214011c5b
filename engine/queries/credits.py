"""Reads of the CE credit ledger: transcripts (staff, auditors, and each person their own),
MOC Part 4 standing, a collaborative's entries and its credit check (staff and auditors)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from aggregates.tokens import Principal
from engine.errors import Forbidden
from engine.queries.base import Reader
from projections.credits.check import CreditCheck
from projections.credits.completions import ReportFile
from projections.credits.requirements import Report
from projections.credits.schemas import CreditRow, MocPart4Status, Transcript


class CreditQueries(Reader):
    def transcript(
        self, principal: Principal, participant_id: UUID, what: str = "read credit transcripts"
    ) -> Transcript:
        """A participant's CE / MOC transcript; `what` names the refusal (e.g. "export credit transcripts")."""
        if principal.participant_id != participant_id or principal.account_id is None:
            self._staff_about(principal, participant_id, what)
        return self.read_models.transcript(participant_id)

    def moc_part4_status(self, principal: Principal, participant_id: UUID) -> list[MocPart4Status]:
        """Where the person stands for MOC Part 4 on each of their teams' projects."""
        if principal.participant_id != participant_id or principal.account_id is None:
            self._staff_about(principal, participant_id, "read where a person stands for MOC Part 4")
        return self.read_models.moc_part4_status(participant_id)

    def credits(
        self, principal: Principal, collaborative_id: UUID, what: str = "read the credit ledger"
    ) -> list[CreditRow]:
        """Every ledger entry of a collaborative in order; `what` as for `transcript`."""
        self._ledger_reader(principal, collaborative_id, what)
        return self.read_models.credits(collaborative_id)

    def credit_check(
        self, principal: Principal, collaborative_id: UUID, as_of: datetime | None = None
    ) -> CreditCheck:
        """What of a collaborative's ledger as of `as_of` (now when None) cannot be reported
        to the accreditors, and why."""
        self._ledger_reader(principal, collaborative_id, "check the credit ledger")
        moment = as_of if as_of is not None else self.read_models.engine.clock().astimezone(UTC)
        return self.read_models.credit_check(collaborative_id, moment)

    def report_file(
        self,
        principal: Principal,
        collaborative_id: UUID,
        reports: tuple[Report, ...],
        as_of: datetime | None,
    ) -> ReportFile:
        """What an accreditor's file of `reports` is made of as of `as_of` (now when None): the
        completions that can be reported, and the check of who and what is left out."""
        self._ledger_reader(principal, collaborative_id, "make the accreditors' files")
        moment = as_of if as_of is not None else self.read_models.engine.clock().astimezone(UTC)
        return self.read_models.report_file(collaborative_id, reports, moment)

    def _ledger_reader(self, principal: Principal, collaborative_id: UUID, what: str) -> None:
        """Staff, and the collaborative's auditors, read its ledger."""
        self._staff_only(principal, what)
        if not principal.staff and not principal.audits_collaborative(collaborative_id):
            raise Forbidden("you may only read the credit ledgers of the collaboratives you audit")
