"""Handlers of assessment instruments: staff define and publish them; a team's answers are
checked and scored by the instrument's current version and recorded on the Team."""

from __future__ import annotations

from uuid import UUID

from aggregates.assessment_instrument import AssessmentInstrument
from aggregates.base import CommandContext
from aggregates.collaborative import Collaborative
from aggregates.idempotency import derived_id
from engine.commands import Command
from engine.commands.instruments import CompleteInstrument, DefineInstrument, PublishInstrumentVersion
from engine.errors import AlreadyExists, UnknownReference
from engine.handlers.handler import Handler
from engine.handlers.team import team_and_phase
from engine.unit_of_work import UnitOfWork


def define_instrument(uow: UnitOfWork, ctx: CommandContext, cmd: DefineInstrument) -> UUID:
    collaborative = uow.read(Collaborative, cmd.collaborative_id)
    instrument_id = cmd.instrument_id or derived_id(ctx, "instrument")
    if uow.exists(AssessmentInstrument, instrument_id):
        raise AlreadyExists(f"instrument {instrument_id} already exists")
    uow.add(AssessmentInstrument.define(ctx, instrument_id, collaborative.id, cmd.definition))
    return instrument_id


def publish_instrument_version(uow: UnitOfWork, ctx: CommandContext, cmd: PublishInstrumentVersion) -> UUID:
    instrument = uow.get(AssessmentInstrument, cmd.instrument_id)
    instrument.publish(ctx, cmd.definition)
    return instrument.id


def complete_instrument(uow: UnitOfWork, ctx: CommandContext, cmd: CompleteInstrument) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    if not uow.exists(AssessmentInstrument, cmd.instrument_id):
        raise UnknownReference(f"no instrument with id {cmd.instrument_id}")
    instrument = uow.read(AssessmentInstrument, cmd.instrument_id)
    if instrument.state.collaborative_id != team.state.collaborative_id:
        raise UnknownReference(f"no instrument with id {cmd.instrument_id} in the team's collaborative")
    definition = instrument.current
    answers = definition.answers(cmd.answers)
    assessment_id = uow.mark_created(
        "InstrumentAssessment", cmd.assessment_id or derived_id(ctx, "assessment")
    )
    team.complete_instrument(
        ctx,
        phase,
        assessment_id,
        instrument.id,
        instrument.version_number,
        answers,
        definition.score(answers),
    )
    return team.id


HANDLERS: dict[type[Command], Handler] = {
    DefineInstrument: define_instrument,
    PublishInstrumentVersion: publish_instrument_version,
    CompleteInstrument: complete_instrument,
}
