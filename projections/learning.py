"""The shared-learning read model: the library, the driver diagram with each
change idea's PDSA history, teams' shared projects with comments and 'we are
trying this', and toolkits. Queries are in `projections/learning_view.py`.

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

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from aggregates import change_package, resource, team, toolkit
from projections.base import Projection, Recorded, Tx

T = "rm_learn_"


def _ddl(name: str, columns: str) -> str:
    return f"CREATE TABLE IF NOT EXISTS {T}{name} ({columns})"


class Learning(Projection):
    name = "learning"
    version = 2  # 2: aim, node and measure versions (as-of reads of the whole diagram)
    tables = {
        f"{T}resource": _ddl("resource", "resource_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, "
            "kind TEXT NOT NULL, title TEXT NOT NULL, description TEXT, tags TEXT NOT NULL, care_settings TEXT NOT NULL, "
            "url TEXT, sha256 TEXT, size BIGINT, media_type TEXT, filename TEXT, shared_by TEXT NOT NULL, "
            "shared_role TEXT NOT NULL, shared_at TEXT NOT NULL, position BIGINT NOT NULL, search TEXT NOT NULL"),
        f"{T}resource_tag": _ddl("resource_tag", "resource_id TEXT NOT NULL, tag TEXT NOT NULL, "
            "PRIMARY KEY (resource_id, tag)"),
        f"{T}package": _ddl("package", "collaborative_id TEXT PRIMARY KEY, package_id TEXT NOT NULL, "
            "aim TEXT NOT NULL, version BIGINT NOT NULL, positions TEXT NOT NULL"),
        f"{T}node": _ddl("node", "node_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, kind TEXT NOT NULL, "
            "name TEXT NOT NULL, description TEXT, parent_id TEXT, retired INTEGER NOT NULL, retired_reason TEXT, "
            "added_position BIGINT NOT NULL, history TEXT NOT NULL"),
        f"{T}aim_version": _ddl("aim_version", "collaborative_id TEXT NOT NULL, aim TEXT NOT NULL, "
            "valid_from BIGINT NOT NULL, valid_to BIGINT, PRIMARY KEY (collaborative_id, valid_from)"),
        f"{T}node_version": _ddl("node_version", "node_id TEXT NOT NULL, collaborative_id TEXT NOT NULL, "
            "kind TEXT NOT NULL, name TEXT NOT NULL, description TEXT, parent_id TEXT, retired INTEGER NOT NULL, "
            "retired_reason TEXT, valid_from BIGINT NOT NULL, valid_to BIGINT, PRIMARY KEY (node_id, valid_from)"),
        f"{T}team": _ddl("team", "team_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, name TEXT NOT NULL"),
        f"{T}measure": _ddl("measure", "team_id TEXT NOT NULL, measure_key TEXT NOT NULL, name TEXT NOT NULL, "
            "data_type TEXT NOT NULL, direction TEXT NOT NULL, position BIGINT NOT NULL, "
            "PRIMARY KEY (team_id, measure_key, position)"),
        f"{T}point": _ddl("point", "team_id TEXT NOT NULL, measure_key TEXT NOT NULL, period TEXT NOT NULL, "
            "position BIGINT NOT NULL, numerator DOUBLE PRECISION NOT NULL, denominator DOUBLE PRECISION, "
            "PRIMARY KEY (team_id, measure_key, period, position)"),
        f"{T}cycle": _ddl("cycle", "cycle_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, collaborative_id TEXT NOT NULL, "
            "change_idea_id TEXT, title TEXT NOT NULL, measure_keys TEXT NOT NULL, planned_position BIGINT NOT NULL, "
            "decision TEXT, decided_position BIGINT, decided_period TEXT"),
        f"{T}project": _ddl("project", "team_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, title TEXT NOT NULL, "
            "summary TEXT NOT NULL, storyboard_url TEXT, measure_keys TEXT NOT NULL, cycle_ids TEXT NOT NULL, "
            "shared_at TEXT NOT NULL, position BIGINT NOT NULL"),
        f"{T}comment": _ddl("comment", "comment_id TEXT PRIMARY KEY, project_team_id TEXT NOT NULL, "
            "team_id TEXT NOT NULL, author_id TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL, position BIGINT NOT NULL"),
        f"{T}trying": _ddl("trying", "team_id TEXT NOT NULL, cycle_id TEXT NOT NULL, project_team_id TEXT NOT NULL, "
            "at TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (team_id, cycle_id)"),
        f"{T}toolkit": _ddl("toolkit", "toolkit_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, "
            "title TEXT NOT NULL, introduction TEXT, change_idea_ids TEXT NOT NULL, resource_ids TEXT NOT NULL, "
            "compiled_by TEXT NOT NULL, compiled_at TEXT NOT NULL, position BIGINT NOT NULL"),
    }  # fmt: skip
    indexes = (
        f"CREATE INDEX IF NOT EXISTS {T}resource_collaborative ON {T}resource (collaborative_id, position)",
        f"CREATE INDEX IF NOT EXISTS {T}resource_tag_tag ON {T}resource_tag (tag)",
        f"CREATE INDEX IF NOT EXISTS {T}node_collaborative ON {T}node (collaborative_id)",
        f"CREATE INDEX IF NOT EXISTS {T}node_version_collaborative ON {T}node_version (collaborative_id, valid_from)",
        f"CREATE INDEX IF NOT EXISTS {T}cycle_collaborative ON {T}cycle (collaborative_id, change_idea_id)",
        f"CREATE INDEX IF NOT EXISTS {T}comment_project ON {T}comment (project_team_id, position)",
    )

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        for recorded in batch:
            handler = HANDLERS.get(type(recorded.event))
            if handler is not None:
                handler(tx, recorded, recorded.event)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _insert(tx: Tx, table: str, row: dict[str, Any], replace: tuple[str, ...] = ()) -> None:
    """Insert a row; a replayed event finds it there and changes nothing (or refreshes `replace`)."""
    columns = ", ".join(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c not in replace)
    action = f"DO UPDATE SET {updates}" if replace else "DO NOTHING"
    target = f"({', '.join(replace)})" if replace else ""
    tx.execute(
        f"INSERT INTO {T}{table} ({columns}) VALUES ({', '.join('?' * len(row))}) ON CONFLICT {target} {action}",
        tuple(row.values()),
    )


def _set(tx: Tx, table: str, key: tuple[str, str], **values: Any) -> None:
    assignments = ", ".join(f"{c} = ?" for c in values)
    tx.execute(f"UPDATE {T}{table} SET {assignments} WHERE {key[0]} = ?", (*values.values(), key[1]))


def _resource_shared(tx: Tx, r: Recorded, e: resource.ResourceShared) -> None:
    d, f = e.details, e.file
    tags = [*d.tags, *(s.value for s in d.care_settings)]
    words = [d.title, d.description or "", *tags, f.filename if f else "", e.url or ""]
    _insert(tx, "resource", {
        "resource_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "kind": d.kind.value,
        "title": d.title, "description": d.description, "tags": _json(d.tags),
        "care_settings": _json([s.value for s in d.care_settings]), "url": e.url,
        "sha256": f and f.sha256, "size": f and f.size, "media_type": f and f.media_type, "filename": f and f.filename,
        "shared_by": e.actor_id, "shared_role": e.actor_role.value, "shared_at": e.timestamp.isoformat(),
        "position": r.position, "search": " ".join(words).casefold(),
    })  # fmt: skip
    for tag in dict.fromkeys(tags):
        _insert(tx, "resource_tag", {"resource_id": str(e.originator_id), "tag": tag})


def _history(e: Any, r: Recorded, action: str, **detail: Any) -> dict[str, Any]:
    return {
        "position": r.position,
        "at": e.timestamp.isoformat(),
        "actor_id": e.actor_id,
        "action": action,
    } | detail


def _package_started(tx: Tx, r: Recorded, e: change_package.ChangePackageStarted) -> None:
    _insert(tx, "package", {
        "collaborative_id": str(e.collaborative_id), "package_id": str(e.originator_id), "aim": e.aim,
        "version": r.originator_version, "positions": _json([r.position]),
    })  # fmt: skip
    _aim_version(tx, r, e)


def _package_touched(tx: Tx, r: Recorded, e: Any, **values: Any) -> None:
    row = tx.fetchone(
        f"SELECT positions FROM {T}package WHERE collaborative_id = ?", (str(e.collaborative_id),)
    )
    positions = [*orjson.loads(row[0] if row else "[]"), r.position]
    key = ("collaborative_id", str(e.collaborative_id))
    _set(tx, "package", key, version=r.originator_version, positions=_json(positions), **values)


def _aim_revised(tx: Tx, r: Recorded, e: change_package.ChangePackageAimRevised) -> None:
    _package_touched(tx, r, e, aim=e.aim)
    _aim_version(tx, r, e)


def _close(tx: Tx, table: str, key: tuple[str, str], position: int) -> None:
    """End the current version at `position` (a replayed event finds it ended already)."""
    tx.execute(
        f"UPDATE {T}{table} SET valid_to = ? WHERE {key[0]} = ? AND valid_to IS NULL AND valid_from < ?",
        (position, key[1], position),
    )


def _aim_version(tx: Tx, r: Recorded, e: Any) -> None:
    _close(tx, "aim_version", ("collaborative_id", str(e.collaborative_id)), r.position)
    _insert(tx, "aim_version", {"collaborative_id": str(e.collaborative_id), "aim": e.aim,
                                "valid_from": r.position, "valid_to": None})  # fmt: skip


NODE_STATE = "node_id, collaborative_id, kind, name, description, parent_id, retired, retired_reason"


def _node_version(tx: Tx, r: Recorded, node_id: str) -> None:
    """Keep the node's state, as its current row now holds it, from this position on."""
    _close(tx, "node_version", ("node_id", node_id), r.position)
    tx.execute(
        f"INSERT INTO {T}node_version ({NODE_STATE}, valid_from, valid_to) SELECT {NODE_STATE}, ?, NULL "
        f"FROM {T}node WHERE node_id = ? ON CONFLICT DO NOTHING",
        (r.position, node_id),
    )


def _node_added(tx: Tx, r: Recorded, e: change_package.DriverAdded) -> None:
    parent = str(e.parent_id) if e.parent_id else None
    history = [_history(e, r, "added", name=e.fields.name, parent_id=parent)]
    _insert(tx, "node", {
        "node_id": str(e.node_id), "collaborative_id": str(e.collaborative_id), "kind": e.kind.value,
        "name": e.fields.name, "description": e.fields.description, "parent_id": parent, "retired": 0,
        "retired_reason": None, "added_position": r.position, "history": _json(history),
    })  # fmt: skip
    _node_version(tx, r, str(e.node_id))
    _package_touched(tx, r, e)


Change = Callable[[Any], dict[str, Any]]


def _node_changed(action: str, values: Change, detail: Change) -> Callable[[Tx, Recorded, Any], None]:
    """A rename, retirement or move: the node's row changes and its history grows."""

    def handle(tx: Tx, r: Recorded, e: Any) -> None:
        row = tx.fetchone(f"SELECT history FROM {T}node WHERE node_id = ?", (str(e.node_id),))
        assert row is not None, f"{action} of an unknown node {e.node_id}"
        history = [*orjson.loads(row[0]), _history(e, r, action, **detail(e))]
        _set(tx, "node", ("node_id", str(e.node_id)), history=_json(history), **values(e))
        _node_version(tx, r, str(e.node_id))
        _package_touched(tx, r, e)

    return handle


def _team_registered(tx: Tx, r: Recorded, e: team.TeamRegistered) -> None:
    row = {
        "team_id": str(e.originator_id),
        "collaborative_id": str(e.collaborative_id),
        "name": e.profile.name,
    }
    _insert(tx, "team", row)


def _measure_defined(tx: Tx, r: Recorded, e: team.MeasureDefined) -> None:
    m = e.measure
    _insert(tx, "measure", {
        "team_id": str(e.originator_id), "measure_key": m.key, "name": m.name, "data_type": m.data_type.value,
        "direction": m.direction.value, "position": r.position,
    })  # fmt: skip


def _data_point(tx: Tx, r: Recorded, e: team.DataPointSubmitted) -> None:
    _insert(tx, "point", {
        "team_id": str(e.originator_id), "measure_key": e.measure_key, "period": e.period, "position": r.position,
        "numerator": e.numerator, "denominator": e.denominator,
    })  # fmt: skip


def _cycle_planned(tx: Tx, r: Recorded, e: team.PdsaPlanned) -> None:
    idea = e.plan.change_idea_id
    _insert(tx, "cycle", {
        "cycle_id": str(e.cycle_id), "team_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id),
        "change_idea_id": str(idea) if idea else None, "title": e.plan.title, "measure_keys": _json(e.plan.measure_keys),
        "planned_position": r.position, "decision": None, "decided_position": None, "decided_period": None,
    })  # fmt: skip


def _cycle_acted(tx: Tx, r: Recorded, e: team.PdsaActed) -> None:
    _set(tx, "cycle", ("cycle_id", str(e.cycle_id)), decision=e.content.decision.value,
         decided_position=r.position, decided_period=f"{e.timestamp:%Y-%m}")  # fmt: skip


def _project_shared(tx: Tx, r: Recorded, e: team.ProjectShared) -> None:
    p = e.project
    _insert(tx, "project", {
        "team_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "title": p.title,
        "summary": p.summary, "storyboard_url": p.storyboard_url, "measure_keys": _json(p.measure_keys),
        "cycle_ids": _json([str(c) for c in p.cycle_ids]), "shared_at": e.timestamp.isoformat(), "position": r.position,
    }, replace=("team_id",))  # fmt: skip


def _commented(tx: Tx, r: Recorded, e: team.ProjectCommented) -> None:
    _insert(tx, "comment", {
        "comment_id": str(e.comment_id), "project_team_id": str(e.project_team_id), "team_id": str(e.originator_id),
        "author_id": e.actor_id, "text": e.text, "at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


def _trying(tx: Tx, r: Recorded, e: team.SharedChangeTried) -> None:
    _insert(tx, "trying", {
        "team_id": str(e.originator_id), "cycle_id": str(e.cycle_id), "project_team_id": str(e.project_team_id),
        "at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


def _toolkit_compiled(tx: Tx, r: Recorded, e: toolkit.ToolkitCompiled) -> None:
    s = e.selection
    _insert(tx, "toolkit", {
        "toolkit_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "title": s.title,
        "introduction": s.introduction, "change_idea_ids": _json([str(i) for i in s.change_idea_ids]),
        "resource_ids": _json([str(i) for i in s.resource_ids]), "compiled_by": e.actor_id,
        "compiled_at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


cp = change_package
HANDLERS: dict[type[Any], Callable[[Tx, Recorded, Any], None]] = {
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
