"""Queries of the shared-learning read model: library search, shared projects
with their comments and 'we are trying this' marks, and toolkits (their
evidence comes from `projections/change_ideas.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel

from aggregates.values import ResourceKind
from projections.base import Tx
from projections.change_ideas import DiagramNode, driver_diagram
from projections.learning_tables import (
    COMMENT,
    CYCLE,
    NODE,
    PROJECT,
    RESOURCE,
    RESOURCE_TAG,
    TEAM,
    TOOLKIT,
    TRYING,
)


class StoredFileView(BaseModel):
    sha256: str
    size: int
    media_type: str
    filename: str


class ResourceView(BaseModel):
    resource_id: UUID
    collaborative_id: UUID
    kind: ResourceKind
    title: str
    description: str | None
    tags: list[str]
    care_settings: list[str]
    url: str | None
    file: StoredFileView | None
    shared_by: str
    shared_role: str
    shared_at: datetime
    position: int


def resources(
    tx: Tx, collaborative_id: UUID, q: str | None = None, tag: str | None = None
) -> list[ResourceView]:
    """The library, newest first: every word of `q` in its text, and carrying `tag`."""
    sql, params = (
        f"SELECT {RESOURCE_COLUMNS} FROM {RESOURCE} r WHERE collaborative_id = ?",
        [str(collaborative_id)],
    )
    for word in (q or "").casefold().split():
        sql += " AND search LIKE ? ESCAPE '\\'"
        params.append("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if tag and tag.strip():
        sql += (
            f" AND EXISTS (SELECT 1 FROM {RESOURCE_TAG} t WHERE t.resource_id = r.resource_id AND t.tag = ?)"
        )
        params.append(tag.strip().casefold())
    return [_resource(row) for row in tx.fetchall(sql + " ORDER BY position DESC", params)]


def resource(tx: Tx, resource_id: UUID) -> ResourceView | None:
    row = tx.fetchone(f"SELECT {RESOURCE_COLUMNS} FROM {RESOURCE} WHERE resource_id = ?", (str(resource_id),))
    return _resource(row) if row else None


def library_tags(tx: Tx, collaborative_id: UUID) -> list[tuple[str, int]]:
    """Every tag in the library, with how many resources carry it."""
    rows = tx.fetchall(
        f"SELECT t.tag, COUNT(*) FROM {RESOURCE_TAG} t JOIN {RESOURCE} r ON r.resource_id = t.resource_id "
        "WHERE r.collaborative_id = ? GROUP BY t.tag ORDER BY t.tag",
        (str(collaborative_id),),
    )
    return [(str(tag), int(n)) for tag, n in rows]


RESOURCE_COLUMNS = (
    "resource_id, collaborative_id, kind, title, description, tags, care_settings, url, sha256, size, "
    "media_type, filename, shared_by, shared_role, shared_at, position"
)


def _resource(row: tuple[Any, ...]) -> ResourceView:
    rid, cid, kind, title, description, tags, settings, url, sha, size, media, name, by, role, at, pos = row
    file = StoredFileView(sha256=sha, size=size, media_type=media, filename=name) if sha else None
    return ResourceView(resource_id=rid, collaborative_id=cid, kind=kind, title=title, description=description,
                        tags=orjson.loads(tags), care_settings=orjson.loads(settings), url=url, file=file,
                        shared_by=by, shared_role=role, shared_at=at, position=pos)  # fmt: skip


class ProjectNote(BaseModel):
    """A comment on a shared project, or a team's mark that it is trying the project's change."""

    team_id: UUID
    team_name: str
    text: str | None = None
    cycle_id: UUID | None = None
    cycle_title: str | None = None
    author_id: str | None = None
    at: datetime
    position: int


class SharedProjectView(BaseModel):
    team_id: UUID
    team_name: str
    title: str
    summary: str
    storyboard_url: str | None
    measure_keys: list[str]
    change_ideas: dict[UUID, str]
    shared_at: datetime
    position: int
    comments: list[ProjectNote]
    trying: list[ProjectNote]


def shared_projects(tx: Tx, collaborative_id: UUID) -> list[SharedProjectView]:
    """Every shared project: its storyboard, change ideas, charts, comments and who is trying it."""
    rows = tx.fetchall(
        f"SELECT p.team_id, t.name, p.title, p.summary, p.storyboard_url, p.measure_keys, p.cycle_ids, p.shared_at, "
        f"p.position FROM {PROJECT} p JOIN {TEAM} t ON t.team_id = p.team_id WHERE p.collaborative_id = ? "
        "ORDER BY t.name",
        (str(collaborative_id),),
    )
    return [_project(tx, row) for row in rows]


def _project(tx: Tx, row: tuple[Any, ...]) -> SharedProjectView:
    team_id, name, title, summary, storyboard, keys, cycle_ids, at, position = row
    linked = orjson.loads(cycle_ids)
    ideas = tx.fetchall(
        f"SELECT c.cycle_id, n.node_id, n.name FROM {CYCLE} c JOIN {NODE} n ON n.node_id = c.change_idea_id "
        "WHERE c.team_id = ? ORDER BY c.planned_position",
        (team_id,),
    )
    comments = tx.fetchall(
        f"SELECT c.team_id, t.name, c.text, c.author_id, c.at, c.position FROM {COMMENT} c "
        f"JOIN {TEAM} t ON t.team_id = c.team_id WHERE c.project_team_id = ? ORDER BY c.position",
        (team_id,),
    )
    trying = tx.fetchall(
        f"SELECT y.team_id, t.name, y.cycle_id, c.title, y.at, y.position FROM {TRYING} y "
        f"JOIN {TEAM} t ON t.team_id = y.team_id JOIN {CYCLE} c ON c.cycle_id = y.cycle_id "
        "WHERE y.project_team_id = ? ORDER BY y.position",
        (team_id,),
    )
    return SharedProjectView(
        team_id=team_id, team_name=name, title=title, summary=summary, storyboard_url=storyboard,
        measure_keys=orjson.loads(keys), shared_at=at, position=position,
        change_ideas={i: n for c, i, n in ideas if not linked or c in linked},
        comments=[ProjectNote(team_id=t, team_name=n, text=x, author_id=a, at=w, position=p) for t, n, x, a, w, p in comments],
        trying=[ProjectNote(team_id=t, team_name=n, cycle_id=c, cycle_title=x, at=w, position=p) for t, n, c, x, w, p in trying],
    )  # fmt: skip


class ToolkitIdea(BaseModel):
    path: list[str]  # primary driver, secondary driver
    idea: DiagramNode


class ToolkitView(BaseModel):
    """A toolkit as everything in it stood at the position it was compiled at: the aim, each
    node's name, description, parent and retirement, the figures (resources never change)."""

    toolkit_id: UUID
    collaborative_id: UUID
    title: str
    introduction: str | None
    compiled_by: str
    compiled_at: datetime
    position: int
    aim: str | None
    change_ideas: list[ToolkitIdea]
    resources: list[ResourceView]


TOOLKIT_COLUMNS = "toolkit_id, collaborative_id, title, introduction, compiled_by, compiled_at, position"


def toolkit(tx: Tx, toolkit_id: UUID) -> ToolkitView | None:
    """Exactly the selected change ideas (with figures) and resources, in the order selected."""
    row = tx.fetchone(
        f"SELECT {TOOLKIT_COLUMNS}, change_idea_ids, resource_ids FROM {TOOLKIT} WHERE toolkit_id = ?",
        (str(toolkit_id),),
    )
    if row is None:
        return None
    head = dict(zip(TOOLKIT_COLUMNS.split(", "), row[:7], strict=True))
    diagram = driver_diagram(tx, UUID(str(head["collaborative_id"])), upto=int(head["position"]))
    found = {
        str(i.node_id): ToolkitIdea(path=[p.name, s.name], idea=i)
        for p, s, i in (diagram.change_ideas() if diagram else [])
    }
    chosen = [resource(tx, UUID(r)) for r in orjson.loads(row[8])]
    ideas = [found[i] for i in orjson.loads(row[7]) if i in found]
    return ToolkitView(**head, aim=diagram.aim if diagram else None, change_ideas=ideas, resources=[r for r in chosen if r])  # fmt: skip


def toolkits(tx: Tx, collaborative_id: UUID) -> list[ToolkitView]:
    rows = tx.fetchall(
        f"SELECT toolkit_id FROM {TOOLKIT} WHERE collaborative_id = ? ORDER BY position",
        (str(collaborative_id),),
    )
    return [view for (toolkit_id,) in rows if (view := toolkit(tx, UUID(str(toolkit_id))))]
