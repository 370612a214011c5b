"""QI training: staff publish modules; people take them (the check's answers by option
position), and read their own record; a team's readers see who has done the basics."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from adapters.http.deps import PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.schemas.common import CommandResult, body_of
from adapters.http.schemas.training import (
    MemberTrainingPublic,
    ModuleListedPublic,
    ModulePublic,
    ProgressPublic,
)
from engine.commands.training import PublishModule, TakeModule

router = APIRouter(tags=["training"])

PublishModuleBody = body_of(PublishModule, "collaborative_id")
TakeModuleBody = body_of(TakeModule, "module_id")


@router.post("/collaboratives/{collaborative_id}/training-modules", status_code=201, responses=WRITE_ERRORS)
def publish_module(collaborative_id: UUID, body: PublishModuleBody, run: RunDep) -> CommandResult:
    """Offer a QI training module (staff): a recorded session, readings from the library, a
    knowledge check with its pass mark, and the CE credit it designates as enduring material."""
    return run(body.command(collaborative_id=collaborative_id))


@router.get("/collaboratives/{collaborative_id}/training-modules", responses=READ_ERRORS)
def training_modules(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> list[ModuleListedPublic]:
    """The modules the collaborative offers, with the caller's own record of each."""
    return [ModuleListedPublic.of(m) for m in queries.training_modules(principal, collaborative_id)]


@router.get("/training-modules/{module_id}", responses=READ_ERRORS)
def training_module(module_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> ModulePublic:
    """One module to take: its check without the right answers (staff see them)."""
    return ModulePublic.of(queries.training_module(principal, module_id))


@router.post("/training-modules/{module_id}/attempts", status_code=201, responses=WRITE_ERRORS)
def take_module(module_id: UUID, body: TakeModuleBody, run: RunDep) -> CommandResult:
    """A person's attempt, for themselves: passing the check completes the module (and earns
    its enduring-material credit); a failed check earns nothing and may be retaken."""
    return run(body.command(module_id=module_id))


@router.get("/participants/{participant_id}/training", responses=READ_ERRORS)
def person_training(
    participant_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> dict[str, ProgressPublic]:
    """A person's record by module id (the person, staff, auditors)."""
    return {m: ProgressPublic.of(p) for m, p in queries.person_training(principal, participant_id).items()}


@router.get("/teams/{team_id}/training", responses=READ_ERRORS)
def team_training(team_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> list[MemberTrainingPublic]:
    """Who on the team has completed which module, and which of the basics (PDSA, measurement)."""
    return [MemberTrainingPublic.of(m) for m in queries.team_training(principal, team_id)]
