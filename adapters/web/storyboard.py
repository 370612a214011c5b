"""A shared project's storyboard, uploaded with it: checked and stored as the library's
uploads are (adapters.http.files), then kept as a library resource of kind storyboard that
the project points at.

Sharing takes two commands, ShareProject then ShareFile, and the project's link names the
resource before it exists: its id is derived from the form's command id and what was sent.
So ShareProject, the one the rules may refuse (who may share, the phase, a withdrawn team),
runs first and a refusal leaves nothing behind; ShareFile cannot be refused where
ShareProject was accepted (the same people add to the library, in more phases), and if it
fails all the same (the store went away between the two), sending the form again under the
same command id finds the project already shared and stores the storyboard."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from adapters.http.errors import problem_of
from adapters.http.files import store_upload
from adapters.web.field_errors import beside_fields, fields_refused
from aggregates.resource import ResourceDetails, StoredFile
from aggregates.team import Team
from aggregates.tokens import Principal
from aggregates.values import ResourceKind
from engine.application import QIEngine
from engine.authorization import authorize_command
from engine.commands.learning import ShareFile
from engine.commands.team import ShareProject

TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}
ACCEPTED = "a PDF, a PowerPoint (.pptx) or a PNG or JPEG picture"
# The command's names for the form's fields, and the form's own names.
FIELDS = {"title": "project_title", "summary": "project_summary", "storyboard_url": "file", "file": "file",
          "project_title": "project_title", "project_summary": "project_summary"}  # fmt: skip


def checked_upload(
    engine: QIEngine, principal: Principal, team_id: UUID, form: dict[str, str], upload: UploadFile | None
) -> StoredFile:
    """The storyboard, stored once the project's fields are right and the caller may share
    the team's project; every field's problem at once otherwise."""
    problems: dict[str, str] = {}
    try:
        probe = ShareProject(
            team_id=team_id, project={"title": form["project_title"], "summary": form["project_summary"]}
        )
    except ValidationError as invalid:
        problem = problem_of(invalid)
        assert problem is not None
        problems |= beside_fields(problem, FIELDS)[0]
    if upload is None:
        problems["file"] = f"choose the storyboard file: {ACCEPTED}"
    if problems:
        raise fields_refused(problems)
    authorize_command(principal, probe, engine)  # before anything is stored
    stored = store_upload(engine, upload)
    if stored.media_type not in TYPES:
        raise fields_refused(
            {"file": f"a storyboard is {ACCEPTED}: save it as one of those and choose it again"}
        )
    return stored


def resource_id(command_id: str, team_id: UUID, stored: StoredFile, title: str) -> UUID:
    """The storyboard resource's id: the same for the same form sent again, another for
    other values (a random-looking version 4 UUID, as the ids clients choose are)."""
    sent = "\x1f".join((command_id, str(team_id), stored.sha256, stored.filename, title))
    return UUID(bytes=hashlib.sha256(sent.encode()).digest()[:16], version=4)


def file_url(request: Request, engine: QIEngine, resource: UUID) -> str:
    """Where the storyboard is downloaded: under QI_PUBLIC_URL when set (a link kept in the
    history must not depend on how one request reached us), else this request's address."""
    base = engine.settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/ui/resources/{resource}/file"


def project_command(team_id: UUID, form: dict[str, str], url: str) -> ShareProject:
    project: Any = {"title": form["project_title"], "summary": form["project_summary"], "storyboard_url": url}
    return ShareProject(team_id=team_id, project=project)


def file_command(team: Team, resource: UUID, stored: StoredFile, title: str) -> ShareFile:
    details = ResourceDetails(
        kind=ResourceKind.STORYBOARD,
        title=f"Storyboard: {title}"[:200],
        description=f"The storyboard of {team.state.name}'s shared project.",
        care_settings=(team.state.care_setting,),
    )
    assert team.collaborative_id is not None
    return ShareFile(
        collaborative_id=team.collaborative_id, resource_id=resource, details=details, file=stored
    )
