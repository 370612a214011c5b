"""The shared-learning read model: the library, the driver diagram with each
change idea's PDSA history, teams' shared projects with comments and 'we are
trying this', and toolkits. Its tables are in `learning_tables.py`, its queries in
`learning_view.py` and `change_ideas.py`.

Every row keeps the position of the event it came from, and data points keep
one row per submission, so a figure can name its source events and be computed
as of any position. The change package's current rows (`package`, `node`) serve
today's diagram; beside them every state the aim and each node (name,
description, parent, retirement) was in is kept with the position it became true
at (`valid_from`) and the one it stopped at (`valid_to`, NULL while current), and
a measure keeps one row per definition, so the diagram as of a position is one
indexed query and a toolkit shows everything exactly as it stood when compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from aggregates import change_package, resource, team, toolkit
from projections.base import Handler, Projection, Recorded, Tx, insert_once, json_text, update, upsert
from projections.learning_tables import (
    AIM_VERSION,
    COMMENT,
    CYCLE,
    INDEXES,
    MEASURE,
    NODE,
    NODE_VERSION,
    PACKAGE,
    POINT,
    PROJECT,
    RESOURCE,
    RESOURCE_TAG,
    TABLES,
    TEAM,
    TOOLKIT,
    TRYING,
)


def _resource_shared(tx: Tx, r: Recorded) -> None:
    e: resource.ResourceShared = r.event
    d, f = e.details, e.file
    tags = [*d.tags, *(s.value for s in d.care_settings)]
    words = [d.title, d.description or "", *tags, f.filename if f else "", e.url or ""]
    insert_once(tx, RESOURCE, {
        "resource_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "kind": d.kind.value,
        "title": d.title, "description": d.description, "tags": json_text(d.tags),
        "care_settings": json_text([s.value for s in d.care_settings]), "url": e.url,
        "sha256": f and f.sha256, "size": f and f.size, "media_type": f and f.media_type, "filename": f and f.filename,
        "shared_by": e.actor_id, "shared_role": e.actor_role.value, "shared_at": e.timestamp.isoformat(),
        "position": r.position, "search": " ".join(words).casefold(),
    })  # fmt: skip
    for tag in dict.fromkeys(tags):
        insert_once(tx, RESOURCE_TAG, {"resource_id": str(e.originator_id), "tag": tag})


def _history(e: Any, r: Recorded, action: str, **detail: Any) -> dict[str, Any]:
    return {
        "position": r.position,
        "at": e.timestamp.isoformat(),
        "actor_id": e.actor_id,
        "action": action,
    } | detail


def _package_started(tx: Tx, r: Recorded) -> None:
    e: change_package.ChangePackageStarted = r.event
    insert_once(tx, PACKAGE, {
        "collaborative_id": str(e.collaborative_id), "package_id": str(e.originator_id), "aim": e.aim,
        "version": r.originator_version, "positions": json_text([r.position]),
    })  # fmt: skip
    _aim_version(tx, r, e)


def _package_touched(tx: Tx, r: Recorded, e: Any, **values: Any) -> None:
    row = tx.fetchone(
        f"SELECT positions FROM {PACKAGE} WHERE collaborative_id = ?", (str(e.collaborative_id),)
    )
    positions = [*orjson.loads(row[0] if row else "[]"), r.position]
    where = {"collaborative_id": str(e.collaborative_id)}
    update(tx, PACKAGE, where, version=r.originator_version, positions=json_text(positions), **values)


def _aim_revised(tx: Tx, r: Recorded) -> None:
    e: change_package.ChangePackageAimRevised = r.event
    _package_touched(tx, r, e, aim=e.aim)
    _aim_version(tx, r, e)


def _close(tx: Tx, table: str, key: tuple[str, str], position: int) -> None:
    """End the current version at `position` (a replayed event finds it ended already)."""
    tx.execute(
        f"UPDATE {table} SET valid_to = ? WHERE {key[0]} = ? AND valid_to IS NULL AND valid_from < ?",
        (position, key[1], position),
    )


def _aim_version(tx: Tx, r: Recorded, e: Any) -> None:
    _close(tx, AIM_VERSION, ("collaborative_id", str(e.collaborative_id)), r.position)
    insert_once(tx, AIM_VERSION, {"collaborative_id": str(e.collaborative_id), "aim": e.aim,
                                "valid_from": r.position, "valid_to": None})  # fmt: skip


NODE_STATE = "node_id, collaborative_id, kind, name, description, parent_id, retired, retired_reason"


def _node_version(tx: Tx, r: Recorded, node_id: str) -> None:
    """Keep the node's state, as its current row now holds it, from this position on."""
    _close(tx, NODE_VERSION, ("node_id", node_id), r.position)
    tx.execute(
        f"INSERT INTO {NODE_VERSION} ({NODE_STATE}, valid_from, valid_to) SELECT {NODE_STATE}, ?, NULL "
        f"FROM {NODE} WHERE node_id = ? ON CONFLICT DO NOTHING",
        (r.position, node_id),
    )


def _node_added(tx: Tx, r: Recorded) -> None:
    e: change_package.DriverAdded = r.event
    parent = str(e.parent_id) if e.parent_id else None
    history = [_history(e, r, "added", name=e.fields.name, parent_id=parent)]
    insert_once(tx, NODE, {
        "node_id": str(e.node_id), "collaborative_id": str(e.collaborative_id), "kind": e.kind.value,
        "name": e.fields.name, "description": e.fields.description, "parent_id": parent, "retired": 0,
        "retired_reason": None, "added_position": r.position, "history": json_text(history),
    })  # fmt: skip
    _node_version(tx, r, str(e.node_id))
    _package_touched(tx, r, e)


Change = Callable[[Any], dict[str, Any]]


def _node_changed(action: str, values: Change, detail: Change) -> Handler:
    """A rename, retirement or move: the node's row changes and its history grows."""

    def handle(tx: Tx, r: Recorded) -> None:
        e = r.event
        row = tx.fetchone(f"SELECT history FROM {NODE} WHERE node_id = ?", (str(e.node_id),))
        assert row is not None, f"{action} of an unknown node {e.node_id}"
        history = [*orjson.loads(row[0]), _history(e, r, action, **detail(e))]
        update(tx, NODE, {"node_id": str(e.node_id)}, history=json_text(history), **values(e))
        _node_version(tx, r, str(e.node_id))
        _package_touched(tx, r, e)

    return handle


def _team_registered(tx: Tx, r: Recorded) -> None:
    e: team.TeamRegistered = r.event
    row = {
        "team_id": str(e.originator_id),
        "collaborative_id": str(e.collaborative_id),
        "name": e.profile.name,
    }
    insert_once(tx, TEAM, row)


def _measure_defined(tx: Tx, r: Recorded) -> None:
    e: team.MeasureDefined = r.event
    m = e.measure
    insert_once(tx, MEASURE, {
        "team_id": str(e.originator_id), "measure_key": m.key, "name": m.name, "data_type": m.data_type.value,
        "direction": m.direction.value, "position": r.position,
    })  # fmt: skip


def _data_point(tx: Tx, r: Recorded) -> None:
    e: team.DataPointSubmitted = r.event
    insert_once(tx, POINT, {
        "team_id": str(e.originator_id), "measure_key": e.measure_key, "period": e.period, "position": r.position,
        "numerator": e.numerator, "denominator": e.denominator,
    })  # fmt: skip


def _cycle_planned(tx: Tx, r: Recorded) -> None:
    e: team.PdsaPlanned = r.event
    idea = e.plan.change_idea_id
    insert_once(tx, CYCLE, {
        "cycle_id": str(e.cycle_id), "team_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id),
        "change_idea_id": str(idea) if idea else None, "title": e.plan.title, "measure_keys": json_text(e.plan.measure_keys),
        "planned_position": r.position, "decision": None, "decided_position": None, "decided_period": None,
    })  # fmt: skip


def _cycle_acted(tx: Tx, r: Recorded) -> None:
    e: team.PdsaActed = r.event
    update(tx, CYCLE, {"cycle_id": str(e.cycle_id)}, decision=e.content.decision.value,
         decided_position=r.position, decided_period=f"{e.timestamp:%Y-%m}")  # fmt: skip


def _project_shared(tx: Tx, r: Recorded) -> None:
    e: team.ProjectShared = r.event
    p = e.project
    upsert(tx, PROJECT, ("team_id",), {
        "team_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "title": p.title,
        "summary": p.summary, "storyboard_url": p.storyboard_url, "measure_keys": json_text(p.measure_keys),
        "cycle_ids": json_text([str(c) for c in p.cycle_ids]), "shared_at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


def _commented(tx: Tx, r: Recorded) -> None:
    e: team.ProjectCommented = r.event
    insert_once(tx, COMMENT, {
        "comment_id": str(e.comment_id), "project_team_id": str(e.project_team_id), "team_id": str(e.originator_id),
        "author_id": e.actor_id, "text": e.text, "at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


def _trying(tx: Tx, r: Recorded) -> None:
    e: team.SharedChangeTried = r.event
    insert_once(tx, TRYING, {
        "team_id": str(e.originator_id), "cycle_id": str(e.cycle_id), "project_team_id": str(e.project_team_id),
        "at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


def _toolkit_compiled(tx: Tx, r: Recorded) -> None:
    e: toolkit.ToolkitCompiled = r.event
    s = e.selection
    insert_once(tx, TOOLKIT, {
        "toolkit_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "title": s.title,
        "introduction": s.introduction, "change_idea_ids": json_text([str(i) for i in s.change_idea_ids]),
        "resource_ids": json_text([str(i) for i in s.resource_ids]), "compiled_by": e.actor_id,
        "compiled_at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


cp = change_package


class Learning(Projection):
    name = "learning"
    version = 2  # 2: aim, node and measure versions (as-of reads of the whole diagram)
    tables = TABLES
    indexes = INDEXES
    handlers = {
        resource.ResourceShared: _resource_shared,
        cp.ChangePackageStarted: _package_started,
        cp.ChangePackageAimRevised: _aim_revised,
        cp.DriverAdded: _node_added,
        cp.ChangeIdeaAdded: _node_added,
        cp.ChangePackageNodeRenamed: _node_changed(
            "renamed",
            lambda e: {"name": e.fields.name, "description": e.fields.description},
            lambda e: {"name": e.fields.name},
        ),
        cp.ChangePackageNodeRetired: _node_changed(
            "retired", lambda e: {"retired": 1, "retired_reason": e.reason}, lambda e: {"reason": e.reason}
        ),
        cp.ChangeIdeaMoved: _node_changed(
            "moved",
            lambda e: {"parent_id": str(e.to_id)},
            lambda e: {"from_id": str(e.from_id) if e.from_id else None, "parent_id": str(e.to_id)},
        ),
        team.TeamRegistered: _team_registered,
        team.MeasureDefined: _measure_defined,
        team.DataPointSubmitted: _data_point,
        team.DataPointCorrected: _data_point,
        team.PdsaPlanned: _cycle_planned,
        team.PdsaActed: _cycle_acted,
        team.ProjectShared: _project_shared,
        team.ProjectCommented: _commented,
        team.SharedChangeTried: _trying,
        toolkit.ToolkitCompiled: _toolkit_compiled,
    }
