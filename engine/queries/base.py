"""What every query stands on: the engine (aggregates, also as of a past moment), the
read models, and the scope checks of engine.authorization, applied to the caller first."""

from __future__ import annotations

from uuid import UUID

from aggregates.tokens import Principal
from engine import authorization
from engine.application import QIEngine
from engine.read_models import ReadModels


class Reader:
    """The state a query reads; the read rules live in engine.authorization and are
    applied here, so no adapter checks a read itself."""

    def __init__(self, engine: QIEngine, read_models: ReadModels) -> None:
        self.engine = engine
        self.read_models = read_models

    def _may_read_collaborative(self, principal: Principal, collaborative_id: UUID | None) -> None:
        authorization.authorize_collaborative_read(principal, collaborative_id, self.engine)

    def _staff_only(self, principal: Principal, what: str) -> None:
        authorization.authorize_staff(principal, what)

    def _staff_about(self, principal: Principal, participant_id: UUID, what: str) -> None:
        """Staff, and auditors within what they audit, reading about one person."""
        authorization.authorize_staff(principal, what)
        authorization.authorize_person_read(principal, participant_id, self.engine, what)
