"""Decisions about a measure's chart, over HTTP: the chart type, the baseline, a new
phase (a rebase), points left out, the goal; proposals and their answers; annotations.

The same five writes for a team's chart (`/teams/{team_id}/measures/{key}/chart/...`)
and for a collaborative's chart of the measure across its teams
(`/collaboratives/{collaborative_id}/measures/{key}/chart/...`). Each returns the chart's
id and version; reading the chart shows the decision with its reason.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from adapters.http.deps import RunDep
from adapters.http.errors import WRITE_ERRORS
from adapters.http.schemas.common import CommandResult, body_of
from aggregates.measure_chart import ChartOwner
from engine.commands.charts import (
    AnnotateChart,
    AnswerChartProposal,
    DecideChart,
    ProposeChartChange,
    WithdrawChartAnnotation,
)

router = APIRouter(tags=["measurement"])

_CHART = ("owner", "owner_id", "measure_key")
DecideChartBody = body_of(DecideChart, *_CHART)
ProposeChartChangeBody = body_of(ProposeChartChange, *_CHART)
AnswerChartProposalBody = body_of(AnswerChartProposal, *_CHART, "proposal_id")
AnnotateChartBody = body_of(AnnotateChart, *_CHART)
WithdrawChartAnnotationBody = body_of(WithdrawChartAnnotation, *_CHART, "annotation_id")

TEAM = "/teams/{team_id}/measures/{measure_key}/chart"
COLLABORATIVE = "/collaboratives/{collaborative_id}/measures/{measure_key}/chart"


def _team(team_id: UUID, measure_key: str) -> dict[str, object]:
    return {"owner": ChartOwner.TEAM, "owner_id": team_id, "measure_key": measure_key}


def _collaborative(collaborative_id: UUID, measure_key: str) -> dict[str, object]:
    return {"owner": ChartOwner.COLLABORATIVE, "owner_id": collaborative_id, "measure_key": measure_key}


@router.post(f"{TEAM}/decisions", responses=WRITE_ERRORS)
def decide_team_chart(team_id: UUID, measure_key: str, body: DecideChartBody, run: RunDep) -> CommandResult:
    """Staff or the team's coach decide how the team's chart is drawn, with the reason shown on it."""
    return run(body.command(**_team(team_id, measure_key)))


@router.post(f"{TEAM}/proposals", status_code=201, responses=WRITE_ERRORS)
def propose_team_chart_change(
    team_id: UUID, measure_key: str, body: ProposeChartChangeBody, run: RunDep
) -> CommandResult:
    """A team member proposes a decision; the coach or staff answer it."""
    return run(body.command(**_team(team_id, measure_key)))


@router.post(f"{TEAM}/proposals/{{proposal_id}}/answer", responses=WRITE_ERRORS)
def answer_team_chart_proposal(
    team_id: UUID, measure_key: str, proposal_id: UUID, body: AnswerChartProposalBody, run: RunDep
) -> CommandResult:
    """Accept (the decision is made) or decline a proposal, with the reason."""
    return run(body.command(**_team(team_id, measure_key), proposal_id=proposal_id))


@router.post(f"{TEAM}/annotations", status_code=201, responses=WRITE_ERRORS)
def annotate_team_chart(
    team_id: UUID, measure_key: str, body: AnnotateChartBody, run: RunDep
) -> CommandResult:
    """A note at a month of the team's chart, with or without data that month."""
    return run(body.command(**_team(team_id, measure_key)))


@router.post(f"{TEAM}/annotations/{{annotation_id}}/withdraw", responses=WRITE_ERRORS)
def withdraw_team_chart_annotation(
    team_id: UUID, measure_key: str, annotation_id: UUID, body: WithdrawChartAnnotationBody, run: RunDep
) -> CommandResult:
    """Withdraw an annotation; it stays in the history with the reason."""
    return run(body.command(**_team(team_id, measure_key), annotation_id=annotation_id))


@router.post(f"{COLLABORATIVE}/decisions", responses=WRITE_ERRORS)
def decide_collaborative_chart(
    collaborative_id: UUID, measure_key: str, body: DecideChartBody, run: RunDep
) -> CommandResult:
    """Staff decide how the collaborative's chart of the measure is drawn."""
    return run(body.command(**_collaborative(collaborative_id, measure_key)))


@router.post(f"{COLLABORATIVE}/proposals", status_code=201, responses=WRITE_ERRORS)
def propose_collaborative_chart_change(
    collaborative_id: UUID, measure_key: str, body: ProposeChartChangeBody, run: RunDep
) -> CommandResult:
    """A coach proposes a decision about the collaborative's chart; staff answer it."""
    return run(body.command(**_collaborative(collaborative_id, measure_key)))


@router.post(f"{COLLABORATIVE}/proposals/{{proposal_id}}/answer", responses=WRITE_ERRORS)
def answer_collaborative_chart_proposal(
    collaborative_id: UUID, measure_key: str, proposal_id: UUID, body: AnswerChartProposalBody, run: RunDep
) -> CommandResult:
    """Staff accept or decline a proposal about the collaborative's chart."""
    return run(body.command(**_collaborative(collaborative_id, measure_key), proposal_id=proposal_id))


@router.post(f"{COLLABORATIVE}/annotations", status_code=201, responses=WRITE_ERRORS)
def annotate_collaborative_chart(
    collaborative_id: UUID, measure_key: str, body: AnnotateChartBody, run: RunDep
) -> CommandResult:
    """A note at a month of the collaborative's chart."""
    return run(body.command(**_collaborative(collaborative_id, measure_key)))


@router.post(f"{COLLABORATIVE}/annotations/{{annotation_id}}/withdraw", responses=WRITE_ERRORS)
def withdraw_collaborative_chart_annotation(
    collaborative_id: UUID,
    measure_key: str,
    annotation_id: UUID,
    body: WithdrawChartAnnotationBody,
    run: RunDep,
) -> CommandResult:
    """Withdraw an annotation of the collaborative's chart."""
    return run(body.command(**_collaborative(collaborative_id, measure_key), annotation_id=annotation_id))
