"""Reads of the CE credit ledger (staff and auditors): transcripts and a collaborative's entries."""

from __future__ import annotations

from uuid import UUID

from aggregates.tokens import Principal
from engine.queries.base import Reader
from projections.credits.schemas import CreditRow, Transcript


class CreditQueries(Reader):
    def transcript(
        self, principal: Principal, participant_id: UUID, what: str = "read credit transcripts"
    ) -> Transcript:
        """A participant's CE / MOC transcript; `what` names the refusal (e.g. "export credit transcripts")."""
        self._staff_only(principal, what)
        return self.read_models.transcript(participant_id)

    def credits(
        self, principal: Principal, collaborative_id: UUID, what: str = "read the credit ledger"
    ) -> list[CreditRow]:
        """Every ledger entry of a collaborative in order; `what` as for `transcript`."""
        self._staff_only(principal, what)
        return self.read_models.credits(collaborative_id)
