"""Commands on a measure's chart: decide how it is drawn, propose a change, answer a
proposal, annotate a month and withdraw an annotation.

Each names the chart by its owner (a team, or a collaborative for the measure across
its teams) and the measure's key; the URL path carries all three. `If-Match` refers to
the chart's own version.
"""

from __future__ import annotations

from uuid import UUID

from aggregates.measure_chart import AnnotationText, ChartOwner, Reason, measure_chart_id
from aggregates.values import Key, Period
from engine.commands import Command, NewId
from engine.commands.fields import Flag
from engine.commands.inputs import DecisionIn


class ChartCommand(Command):
    owner: ChartOwner
    owner_id: UUID
    measure_key: Key

    def target_id(self) -> UUID | None:
        return measure_chart_id(self.owner_id, self.measure_key)


class DecideChart(ChartCommand):
    """Staff, or the team's coach, decide how the chart is drawn, with the reason shown on it."""

    decision: DecisionIn
    reason: Reason


class ProposeChartChange(ChartCommand):
    """A team asks for a decision; its coach or staff accept or decline it."""

    proposal_id: NewId | None = None
    decision: DecisionIn
    reason: Reason


class AnswerChartProposal(ChartCommand):
    proposal_id: UUID
    accept: Flag
    reason: Reason


class AnnotateChart(ChartCommand):
    """A note at a month (a point, or a date without data): who and when are recorded."""

    annotation_id: NewId | None = None
    period: Period
    text: AnnotationText


class WithdrawChartAnnotation(ChartCommand):
    annotation_id: UUID
    reason: Reason
