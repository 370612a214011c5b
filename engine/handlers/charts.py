"""Handlers of commands on a measure's chart; the chart starts with its first decision,
proposal or annotation. The owner (team or collaborative) is read, not changed."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.base import CommandContext
from aggregates.collaborative import Collaborative
from aggregates.errors import RuleViolation
from aggregates.idempotency import derived_id
from aggregates.measure_chart import (
    CHART_NAMES,
    CHARTS_FOR,
    ChartOwner,
    ChooseChartType,
    Decision,
    ExcludePoint,
    MeasureChart,
    SetGoal,
    measure_chart_id,
)
from aggregates.phases import Phase
from aggregates.team import Team
from aggregates.values import DataType, MeasureDefinition
from engine.commands import Command
from engine.commands.charts import (
    AnnotateChart,
    AnswerChartProposal,
    ChartCommand,
    DecideChart,
    ProposeChartChange,
    WithdrawChartAnnotation,
)
from engine.errors import NotFound
from engine.handlers.handler import Handler
from engine.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Owner:
    """What the chart is of: its collaborative, the phase it is in, and the measure."""

    collaborative_id: UUID
    phase: Phase
    measure: MeasureDefinition
    team: Team | None


def owner_of(uow: UnitOfWork, cmd: ChartCommand) -> Owner:
    """The chart's owner, refusing a measure it does not have."""
    if cmd.owner is ChartOwner.TEAM:
        team = uow.read(Team, cmd.owner_id)
        assert team.collaborative_id is not None
        series = team.state.measures.get(cmd.measure_key)
        if series is None:
            raise NotFound(f"measure {cmd.measure_key!r} of team", team.id)
        phase = uow.read(Collaborative, team.collaborative_id).phase
        return Owner(team.collaborative_id, phase, series.definition, team)
    collaborative = uow.read(Collaborative, cmd.owner_id)
    measure = collaborative.state.measures.get(cmd.measure_key)
    if measure is None:
        raise NotFound(f"collaborative measure {cmd.measure_key!r} of collaborative", collaborative.id)
    return Owner(collaborative.id, collaborative.phase, measure, None)


def _chart(uow: UnitOfWork, ctx: CommandContext, cmd: ChartCommand, owner: Owner) -> MeasureChart:
    chart_id = measure_chart_id(cmd.owner_id, cmd.measure_key)
    if uow.exists(MeasureChart, chart_id):
        return uow.get(MeasureChart, chart_id)
    chart = MeasureChart.start(
        ctx, cmd.owner, cmd.owner_id, owner.collaborative_id, cmd.measure_key, owner.phase
    )
    uow.add(chart)
    return chart


def _check_against_measure(owner: Owner, decision: Decision) -> None:
    """What only the measure and its data can tell: a proportion's goal, a month with data."""
    kind = owner.measure.data_type
    if (
        isinstance(decision, ChooseChartType)
        and decision.chart is not None
        and decision.chart not in CHARTS_FOR[kind]
    ):
        fits = ", ".join(CHART_NAMES[c] for c in CHARTS_FOR[kind])
        raise RuleViolation(
            f"a {CHART_NAMES[decision.chart]} does not fit a {kind.value} measure's monthly values; "
            f"choose a {fits}"
        )
    proportion = kind is DataType.PROPORTION
    if (
        isinstance(decision, SetGoal)
        and decision.goal is not None
        and proportion
        and not 0 <= decision.goal <= 1
    ):
        raise RuleViolation("a proportion's goal is between 0 and 1 (0.9 is 90%)")
    if isinstance(decision, ExcludePoint) and owner.team is not None:
        series = owner.team.state.measures[owner.measure.key]
        if decision.period not in series.data:
            raise RuleViolation(f"the team has no value for {decision.period} to exclude")


def decide_chart(uow: UnitOfWork, ctx: CommandContext, cmd: DecideChart) -> UUID:
    owner = owner_of(uow, cmd)
    _check_against_measure(owner, cmd.decision)
    chart = _chart(uow, ctx, cmd, owner)
    chart.decide(ctx, owner.phase, cmd.decision, cmd.reason)
    return chart.id


def propose_chart_change(uow: UnitOfWork, ctx: CommandContext, cmd: ProposeChartChange) -> UUID:
    owner = owner_of(uow, cmd)
    _check_against_measure(owner, cmd.decision)
    chart = _chart(uow, ctx, cmd, owner)
    proposal_id = uow.mark_created("ChartProposal", cmd.proposal_id or derived_id(ctx, "chart-proposal"))
    chart.propose(ctx, owner.phase, proposal_id, cmd.decision, cmd.reason)
    return chart.id


def answer_chart_proposal(uow: UnitOfWork, ctx: CommandContext, cmd: AnswerChartProposal) -> UUID:
    owner = owner_of(uow, cmd)
    chart = _chart(uow, ctx, cmd, owner)
    if cmd.accept:
        proposal = chart.state.proposals.get(cmd.proposal_id)
        if proposal is not None:
            _check_against_measure(owner, proposal.decision)
        chart.accept(ctx, owner.phase, cmd.proposal_id, cmd.reason)
    else:
        chart.decline(ctx, owner.phase, cmd.proposal_id, cmd.reason)
    return chart.id


def annotate_chart(uow: UnitOfWork, ctx: CommandContext, cmd: AnnotateChart) -> UUID:
    owner = owner_of(uow, cmd)
    chart = _chart(uow, ctx, cmd, owner)
    note_id = uow.mark_created("ChartAnnotation", cmd.annotation_id or derived_id(ctx, "chart-annotation"))
    chart.annotate(ctx, owner.phase, note_id, cmd.period, cmd.text)
    return chart.id


def withdraw_chart_annotation(uow: UnitOfWork, ctx: CommandContext, cmd: WithdrawChartAnnotation) -> UUID:
    owner = owner_of(uow, cmd)
    chart = _chart(uow, ctx, cmd, owner)
    chart.withdraw_note(ctx, owner.phase, cmd.annotation_id, cmd.reason)
    return chart.id


HANDLERS: dict[type[Command], Handler] = {
    DecideChart: decide_chart,
    ProposeChartChange: propose_chart_change,
    AnswerChartProposal: answer_chart_proposal,
    AnnotateChart: annotate_chart,
    WithdrawChartAnnotation: withdraw_chart_annotation,
}
