"""What makes a retried command the same command: its fingerprint.

The record a command leaves (aggregates/idempotency.py: CommandRecord) holds the
fingerprint of the command it accepted; the same command id with another
fingerprint is refused (IdempotencyKeyReused).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from pydantic import BaseModel


def fingerprint(command: BaseModel) -> str:
    body: Any = command.model_dump(mode="json")
    data = orjson.dumps([type(command).__name__, body], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest()
