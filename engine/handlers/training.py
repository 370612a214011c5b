"""Handlers of QI training: publishing a module (its readings and recorded session checked
to be the collaborative's own), and a person's attempt at one."""

from __future__ import annotations

from uuid import UUID

from aggregates.activity import LearningActivity
from aggregates.base import CommandContext
from aggregates.collaborative import Collaborative
from aggregates.idempotency import derived_id
from aggregates.participant import Participant
from aggregates.resource import Resource
from aggregates.training import TrainingModule, TrainingRecord, training_record_id
from engine.commands import Command
from engine.commands.training import PublishModule, TakeModule
from engine.errors import AlreadyExists, UnknownReference
from engine.handlers.handler import Handler
from engine.unit_of_work import UnitOfWork


def publish_module(uow: UnitOfWork, ctx: CommandContext, cmd: PublishModule) -> UUID:
    collaborative = uow.read(Collaborative, cmd.collaborative_id)
    module_id = cmd.module_id or derived_id(ctx, "module")
    if uow.exists(TrainingModule, module_id):
        raise AlreadyExists(f"training module {module_id} already exists")
    for resource_id in cmd.module.readings:
        if (
            not uow.exists(Resource, resource_id)
            or uow.read(Resource, resource_id).collaborative_id != collaborative.id
        ):
            raise UnknownReference(f"reading {resource_id} is not in this collaborative's library")
    session = cmd.module.recorded_activity_id
    if session is not None and (
        not uow.exists(LearningActivity, session)
        or uow.read(LearningActivity, session).collaborative_id != collaborative.id
    ):
        raise UnknownReference(f"recorded session {session} is not one of this collaborative's activities")
    uow.add(TrainingModule.publish(ctx, module_id, collaborative.id, collaborative.phase, cmd.module))
    return module_id


def take_module(uow: UnitOfWork, ctx: CommandContext, cmd: TakeModule) -> UUID:
    module = uow.read(TrainingModule, cmd.module_id)
    uow.read(Participant, cmd.participant_id)  # NotFound for no such person
    phase = uow.read(Collaborative, module.state.collaborative_id).phase
    record_id = training_record_id(cmd.participant_id, module.id)
    if uow.exists(TrainingRecord, record_id):
        record = uow.get(TrainingRecord, record_id)
    else:
        record = TrainingRecord.start(ctx, cmd.participant_id, module)
        uow.add(record)
    record.take(ctx, phase, module.state.module, cmd.answers)
    return record.id


HANDLERS: dict[type[Command], Handler] = {
    PublishModule: publish_module,
    TakeModule: take_module,
}
