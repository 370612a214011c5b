"""The driver diagram read model: the change package as a tree, and per change
idea how many teams and PDSA cycles tested it, their act decisions, and the
measured result of the teams that adopted it.

For each adopting team, the measure its adopting cycle names (else each of the
team's measures) is compared before and after: the run chart centre (median,
`qic`) of the months before the adoption month against that of the months after
it; the adoption month itself is mixed, so it counts on neither side. Every
figure lists the positions of the events it came from, and everything can be
read as of a position (a toolkit's evidence is as of when it was compiled).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel

from aggregates.change_package import NodeKind
from analytics import qic
from projections.base import Tx
from projections.learning_tables import AIM_VERSION, CYCLE, MEASURE, NODE, NODE_VERSION, PACKAGE, POINT, TEAM

EVERYTHING = 2**62


class AdoptionResult(BaseModel):
    """One adopting team's measure: its median before and after the adoption month."""

    team_id: UUID
    team_name: str
    measure_key: str
    measure_name: str
    data_type: str
    direction: str
    adopted_period: str
    before_median: float | None
    after_median: float | None
    before_points: int
    after_points: int
    change: float | None
    improved: bool | None
    sources: list[int]


class ChangeIdeaFigures(BaseModel):
    teams_tested: int = 0
    cycles: int = 0
    adopt: int = 0
    adapt: int = 0
    abandon: int = 0
    results: list[AdoptionResult] = []
    sources: list[int] = []


class NodeChange(BaseModel):
    position: int
    at: datetime
    actor_id: str
    action: str
    name: str | None = None
    parent_id: UUID | None = None
    from_id: UUID | None = None
    reason: str | None = None


class DiagramNode(BaseModel):
    node_id: UUID
    kind: NodeKind
    name: str
    description: str | None
    parent_id: UUID | None
    retired: bool
    retired_reason: str | None
    history: list[NodeChange]
    children: list[DiagramNode] = []
    figures: ChangeIdeaFigures | None = None


class DriverDiagramView(BaseModel):
    collaborative_id: UUID
    version: int
    aim: str | None
    aim_sources: list[int]
    as_of_position: int | None
    primary_drivers: list[DiagramNode]

    def change_ideas(self) -> list[tuple[DiagramNode, DiagramNode, DiagramNode]]:
        """(primary, secondary, idea) for every change idea, in diagram order."""
        return [(p, s, i) for p in self.primary_drivers for s in p.children for i in s.children]


def driver_diagram(tx: Tx, collaborative_id: UUID, upto: int | None = None) -> DriverDiagramView | None:
    """The change package as a tree, each change idea with its figures (as of `upto`, a position)."""
    head = _head(tx, str(collaborative_id), upto)
    if head is None:
        return None
    aim, version, positions = head
    figures = idea_figures(tx, collaborative_id, upto)
    nodes = {str(r[0]): _node(r, figures, upto) for r in _node_rows(tx, str(collaborative_id), upto)}
    for node in nodes.values():
        if node.parent_id is not None and str(node.parent_id) in nodes:
            nodes[str(node.parent_id)].children.append(node)
    primaries = [n for n in nodes.values() if n.kind is NodeKind.PRIMARY_DRIVER]
    return DriverDiagramView(collaborative_id=collaborative_id, version=version, aim=aim, aim_sources=positions,
                             as_of_position=upto, primary_drivers=primaries)  # fmt: skip


def _head(tx: Tx, collaborative_id: str, upto: int | None) -> tuple[str, int, list[int]] | None:
    """The aim, the package's version and its events' positions, now or as of `upto`."""
    row = tx.fetchone(
        f"SELECT aim, version, positions FROM {PACKAGE} WHERE collaborative_id = ?", (collaborative_id,)
    )
    if row is None or upto is None:
        return None if row is None else (str(row[0]), int(row[1]), orjson.loads(row[2]))
    then = tx.fetchone(
        f"SELECT aim FROM {AIM_VERSION} WHERE collaborative_id = ? AND valid_from <= ? "
        "AND (valid_to IS NULL OR valid_to > ?)",
        (collaborative_id, upto, upto),
    )
    positions = [p for p in orjson.loads(row[2]) if p <= upto]
    # each of the package's events is one version, so its version then is how many it had
    return None if then is None else (str(then[0]), len(positions), positions)


NODE_COLUMNS = "node_id, kind, name, description, parent_id, retired, retired_reason"


def _node_rows(tx: Tx, collaborative_id: str, upto: int | None) -> list[tuple[Any, ...]]:
    """Each node's row as it is now, or the version of it that was current at `upto`."""
    if upto is None:
        return tx.fetchall(
            f"SELECT {NODE_COLUMNS}, history FROM {NODE} WHERE collaborative_id = ? ORDER BY added_position",
            (collaborative_id,),
        )
    columns = ", ".join(f"v.{c}" for c in NODE_COLUMNS.split(", "))
    return tx.fetchall(
        f"SELECT {columns}, n.history FROM {NODE_VERSION} v JOIN {NODE} n ON n.node_id = v.node_id "
        "WHERE v.collaborative_id = ? AND v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?) "
        "ORDER BY n.added_position",
        (collaborative_id, upto, upto),
    )


def _node(row: tuple[Any, ...], figures: dict[str, ChangeIdeaFigures], upto: int | None) -> DiagramNode:
    node_id, kind, name, description, parent_id, retired, reason, history = row
    idea = kind == NodeKind.CHANGE_IDEA.value
    changes = [h for h in orjson.loads(history) if upto is None or h["position"] <= upto]
    return DiagramNode(node_id=node_id, kind=kind, name=name, description=description, parent_id=parent_id,
                       retired=bool(retired), retired_reason=reason, history=changes,
                       figures=figures.get(str(node_id), ChangeIdeaFigures()) if idea else None)  # fmt: skip


def idea_figures(tx: Tx, collaborative_id: UUID, upto: int | None = None) -> dict[str, ChangeIdeaFigures]:
    """Per change idea id: teams, cycles, decisions and adoption results, from events up to `upto`."""
    limit = upto or EVERYTHING
    rows = tx.fetchall(
        f"SELECT change_idea_id, team_id, measure_keys, planned_position, decision, decided_position, decided_period "
        f"FROM {CYCLE} WHERE collaborative_id = ? AND change_idea_id IS NOT NULL AND planned_position <= ? "
        "ORDER BY planned_position",
        (str(collaborative_id), limit),
    )
    by_idea: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        decided = row[5] is not None and row[5] <= limit
        by_idea[row[0]].append(row if decided else (*row[:4], None, None, None))
    return {idea: _figures(tx, cycles, limit) for idea, cycles in by_idea.items()}


def _figures(tx: Tx, cycles: list[tuple[Any, ...]], limit: int) -> ChangeIdeaFigures:
    decisions = Counter(c[4] for c in cycles if c[4])
    adopted: dict[str, tuple[Any, ...]] = {}
    for cycle in sorted((c for c in cycles if c[4] == "adopt"), key=lambda c: c[5]):
        adopted.setdefault(cycle[1], cycle)  # a team's first adoption is when the change took hold
    results = [r for cycle in adopted.values() for r in _results(tx, cycle, limit)]
    sources = sorted({c[3] for c in cycles} | {c[5] for c in cycles if c[5]})
    return ChangeIdeaFigures(teams_tested=len({c[1] for c in cycles}), cycles=len(cycles), adopt=decisions["adopt"],
                             adapt=decisions["adapt"], abandon=decisions["abandon"], results=results, sources=sources)  # fmt: skip


def _results(tx: Tx, cycle: tuple[Any, ...], limit: int) -> list[AdoptionResult]:
    _, team_id, keys, _, _, act_position, period = cycle
    named = set(orjson.loads(keys))
    measures = _measures_as_of(tx, team_id, limit)
    chosen = [m for m in measures if m[0] in named] or ([] if named else measures)
    return [_result(tx, team_id, m, period, act_position, limit) for m in chosen]


def _measures_as_of(tx: Tx, team_id: str, limit: int) -> list[tuple[Any, ...]]:
    """The team's measures as defined at `limit`: a later redefinition replaces its key's row."""
    rows = tx.fetchall(
        f"SELECT m.measure_key, m.name, m.data_type, m.direction, t.name FROM {MEASURE} m "
        f"JOIN {TEAM} t ON t.team_id = m.team_id WHERE m.team_id = ? AND m.position <= ? "
        "ORDER BY m.measure_key, m.position",
        (team_id, limit),
    )
    return list({row[0]: row for row in rows}.values())


def _result(
    tx: Tx, team_id: str, measure: tuple[Any, ...], adopted: str, act: int, limit: int
) -> AdoptionResult:
    key, name, data_type, direction, team_name = measure
    points = _points_as_of(tx, team_id, key, limit)
    before = [p for p in points if p[0] < adopted]
    after = [p for p in points if p[0] > adopted]
    low, high = _median(before), _median(after)
    change = None if low is None or high is None else high - low
    improved = None if change is None else (change > 0 if direction == "increase" else change < 0)
    return AdoptionResult(team_id=team_id, team_name=team_name, measure_key=key, measure_name=name, data_type=data_type,
                          direction=direction, adopted_period=adopted, before_median=low, after_median=high,
                          before_points=len(before), after_points=len(after), change=change, improved=improved,
                          sources=sorted([act, *(p[3] for p in before + after)]))  # fmt: skip


def _points_as_of(tx: Tx, team_id: str, key: str, limit: int) -> list[tuple[str, float, float | None, int]]:
    """A measure's months as they stood at `limit`: a later correction replaces its month."""
    rows = tx.fetchall(
        f"SELECT period, numerator, denominator, position FROM {POINT} "
        "WHERE team_id = ? AND measure_key = ? AND position <= ? ORDER BY period, position",
        (team_id, key, limit),
    )
    latest = {str(p): (str(p), float(n), None if d is None else float(d), int(pos)) for p, n, d, pos in rows}
    return list(latest.values())


def _median(points: list[tuple[str, float, float | None, int]]) -> float | None:
    """The run chart's centre line: the median of the months' values (numerator / denominator)."""
    if not points:
        return None
    sizes = [p[2] for p in points] if any(p[2] is not None for p in points) else None
    return qic([p[1] for p in points], sizes, x=[p[0] for p in points], chart="run").points[0].cl
