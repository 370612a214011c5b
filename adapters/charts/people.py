"""A chart's view with the people named: the actor ids behind its phases and notes
replaced by who they were, before anything draws or lists them."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.actor_words import called
from projections.chart_model import ChartView


def named_for_people(view: ChartView, names: Mapping[str, str]) -> ChartView:
    """The view with each decider and note writer by name (or by role, when their id has none)."""
    phases = [
        p.model_copy(update={"decided_by": called(p.decided_by, p.decided_role or "", names)})
        if p.decided_by is not None
        else p
        for p in view.phases
    ]
    marks = [
        m.model_copy(update={"who": called(m.who, m.role or "", names)}) if m.who is not None else m
        for m in view.marks
    ]
    return view.model_copy(update={"phases": phases, "marks": marks})
