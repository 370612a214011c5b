"""A Resource: one item of a collaborative's library, a link or an uploaded file.

An uploaded file lives in the content-addressed file store beside the events;
its SHA-256 is part of the event, so every download can be checked against
what was shared.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints, field_validator

from aggregates.base import CommandContext, QIAggregate, QICreated, Role, Value
from aggregates.errors import RuleViolation
from aggregates.phases import Activity, Phase, require_allowed
from aggregates.values import CareSetting, Name, ResourceKind, Tag, Text

MAX_FILE_BYTES = 20 * 1024 * 1024
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
MediaType = Annotated[str, StringConstraints(pattern=r"^[a-z]+/[a-z0-9.+-]+$", max_length=120)]


class StoredFile(Value):
    """An uploaded file as the store holds it: found, and checked, by its SHA-256."""

    sha256: Sha256
    size: int = Field(gt=0, le=MAX_FILE_BYTES)
    media_type: MediaType
    filename: Name


class ResourceDetails(Value):
    """What a resource is, and the tags it is found by."""

    kind: ResourceKind
    title: Name
    description: Text | None = None
    tags: tuple[Tag, ...] = Field(default=(), max_length=20)
    care_settings: tuple[CareSetting, ...] = Field(default=(), max_length=len(CareSetting))

    @field_validator("tags", "care_settings")
    @classmethod
    def _once_each(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(values))


class ResourceState(BaseModel):
    collaborative_id: UUID
    details: ResourceDetails
    url: str | None = None
    file: StoredFile | None = None
    shared_by: str
    shared_by_role: Role
    shared_at: datetime


class Resource(QIAggregate):
    State = ResourceState
    if TYPE_CHECKING:
        state: ResourceState

    @classmethod
    def share(
        cls,
        ctx: CommandContext,
        resource_id: UUID,
        collaborative_id: UUID,
        phase: Phase,
        details: ResourceDetails,
        url: str | None = None,
        file: StoredFile | None = None,
    ) -> Self:
        """Add a link or an uploaded file to the collaborative's library."""
        require_allowed(Activity.SHARE_RESOURCE, phase)
        if (url is None) == (file is None):
            raise RuleViolation("a resource is either a link or an uploaded file, not both or neither")
        return cls._create_with(
            ctx,
            ResourceShared,
            resource_id,
            collaborative_id=collaborative_id,
            details=details,
            url=url,
            file=file,
        )


class ResourceShared(QICreated):
    details: ResourceDetails
    url: str | None = None
    file: StoredFile | None = None

    def apply(self, aggregate: Resource) -> None:
        assert self.collaborative_id is not None
        aggregate.state = ResourceState(
            collaborative_id=self.collaborative_id,
            details=self.details,
            url=self.url,
            file=self.file,
            shared_by=self.actor_id,
            shared_by_role=self.actor_role,
            shared_at=self.timestamp,
        )
