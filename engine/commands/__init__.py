"""Commands: what a user asks the engine to do, validated at the edge.

One module per aggregate. Each command names the field holding the id of the
resource it addresses (`target_field`), which `If-Match` versions refer to.
Ids of things a command creates may be omitted: the engine derives them from
the command id, so a retried command creates the same ids.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    target_field: ClassVar[str | None] = None

    def target_id(self) -> UUID | None:
        if self.target_field is None:
            return None
        value = getattr(self, self.target_field)
        return value if isinstance(value, UUID) else None
