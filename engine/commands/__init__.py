"""Commands: what a user asks the engine to do, validated at the edge.

One module per aggregate. Each command names the field holding the id of the
resource it addresses (`target_field`), which `If-Match` versions refer to.
Ids of things a command creates may be omitted: the engine derives them from
the command id, so a retried command creates the same ids. A client that
chooses one (`NewId`) chooses from its own namespace: derived ids are version 5
UUIDs, which a client may not send, so the two can never collide.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict


def _client_namespace(value: UUID) -> UUID:
    if value.version == 5:
        raise ValueError(
            "version 5 UUIDs are the ids the engine derives for what it creates; "
            "send a random (version 4) UUID, or leave the id out and the engine chooses one"
        )
    if value.int == 0 or value.version is None:
        raise ValueError("send a random (version 4) UUID, or leave the id out and the engine chooses one")
    return value


# The id of something a command creates, chosen by the client.
NewId = Annotated[UUID, AfterValidator(_client_namespace)]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    target_field: ClassVar[str | None] = None

    def target_id(self) -> UUID | None:
        if self.target_field is None:
            return None
        value = getattr(self, self.target_field)
        return value if isinstance(value, UUID) else None
