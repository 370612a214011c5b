"""Request schemas of shared learning: bodies derived from the commands, and the
multipart form of a library upload (read here, so its syntax is checked at the edge)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from adapters.http.errors import InvalidInput
from adapters.http.schemas.common import NoNul, body_of
from aggregates.resource import MAX_FILE_BYTES, ResourceDetails
from aggregates.values import CareSetting, Name, ResourceKind, Text
from engine.commands.inputs import CareSettings, Tags
from engine.commands.learning import (
    AddChangeIdea,
    AddDriver,
    CommentOnProject,
    CompileToolkit,
    MoveChangeIdea,
    RenameNode,
    RetireNode,
    ReviseAim,
    ShareLink,
    TryChange,
)

ShareLinkBody = body_of(ShareLink, "collaborative_id")
ReviseAimBody = body_of(ReviseAim, "collaborative_id")
AddDriverBody = body_of(AddDriver, "collaborative_id")
AddChangeIdeaBody = body_of(AddChangeIdea, "collaborative_id")
RenameNodeBody = body_of(RenameNode, "collaborative_id", "node_id")
RetireNodeBody = body_of(RetireNode, "collaborative_id", "node_id")
MoveChangeIdeaBody = body_of(MoveChangeIdea, "collaborative_id", "change_idea_id")
CommentOnProjectBody = body_of(CommentOnProject, "project_team_id")
TryChangeBody = body_of(TryChange, "team_id")
CompileToolkitBody = body_of(CompileToolkit, "collaborative_id")


def _comma_separated(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    if len(text) > 2000:
        raise PydanticCustomError("too_long", "the tags are longer than 2,000 characters")
    return [t for t in (part.strip() for part in text.split(",")) if t]


class UploadFields(NoNul):
    """The fields sent with an uploaded file (multipart/form-data); tags comma-separated."""

    resource_id: UUID | None = None
    kind: ResourceKind
    title: Name
    description: Text | None = None
    # Checked here, before the file is stored, by the same rules as the command's.
    tags: Annotated[Tags, BeforeValidator(_comma_separated)] = ()
    care_settings: CareSettings = ()

    @field_validator("description", "resource_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    def details(self) -> ResourceDetails:
        """The resource's details as the ShareFile command carries them."""
        return ResourceDetails(
            kind=self.kind,
            title=self.title,
            description=self.description,
            tags=self.tags,
            care_settings=self.care_settings,
        )


UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "kind", "title"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": f"at most {MAX_FILE_BYTES // 2**20} MB: PDF, Word, Excel, PowerPoint, "
                        "PNG, JPEG, GIF or WebP, judged by content",
                    },
                    "kind": {"type": "string", "enum": [k.value for k in ResourceKind]},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string", "maxLength": 20000},
                    "tags": {
                        "type": "string",
                        "maxLength": 2000,
                        "description": "comma-separated, at most 20, each once",
                    },
                    "care_settings": {
                        "type": "array",
                        "maxItems": len(CareSetting),
                        "uniqueItems": True,
                        "items": {"type": "string", "enum": [s.value for s in CareSetting]},
                    },
                    "resource_id": {"type": "string", "format": "uuid"},
                },
            }
        }
    },
}


async def read_upload(request: Request, ignore: tuple[str, ...] = ()) -> tuple[UploadFile, UploadFields]:
    """The uploaded file and its fields (less `ignore`); adapters.http.limits refuses an oversized body."""
    try:
        form = await request.form(max_files=1, max_fields=30)
    except HTTPException as error:  # a malformed multipart body
        raise InvalidInput(
            ["body"], f"the upload is not readable multipart/form-data: {error.detail}"
        ) from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput(["body", "file"], "attach the file to upload in the multipart field `file`")
    values: dict[str, Any] = {
        k: v for k, v in form.multi_items() if k not in ("file", "care_settings", *ignore)
    }
    try:
        return upload, UploadFields.model_validate(values | {"care_settings": form.getlist("care_settings")})
    except ValidationError as invalid:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in invalid.errors()]) from None
