"""Errors the engine raises besides the domain's rule violations."""

from __future__ import annotations

from uuid import UUID


class EngineError(Exception):
    rule: str | None = None  # the rule a 409 names, where there is one

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    """The addressed resource does not exist (404)."""

    def __init__(self, kind: str, resource_id: UUID | str) -> None:
        super().__init__(f"no {kind} with id {resource_id}")
        self.kind = kind
        self.resource_id = resource_id


class UnknownReference(EngineError):
    """The command names another resource that does not exist (422)."""


class ConcurrencyConflict(EngineError):
    """Someone else changed the same aggregate first; reload and retry (409)."""


class StaleVersion(EngineError):
    """The caller's expected version is not the current one (412)."""

    def __init__(self, resource_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"{resource_id} is at version {actual}, not the expected version {expected}")
        self.expected = expected
        self.actual = actual


class IdempotencyKeyReused(EngineError):
    """The same command id was sent before with a different command (422)."""


class AlreadyExists(EngineError):
    """A command would create something whose id is already taken (409)."""

    rule = "ids_are_unique"


class NotConfigured(EngineError):
    """The deployment lacks a setting this needs, named in the message (503)."""


class LeftOut(EngineError):
    """An accreditor's file would leave out completions the credit check lists (409): each
    learner and activity is named with what it lacks, before any file is made."""

    rule = "every_completion_reportable"

    def __init__(self, message: str, left_out: list[str]) -> None:
        super().__init__(message)
        self.left_out = left_out


class Unauthenticated(EngineError):
    """No valid token was presented (401)."""


class Forbidden(EngineError):
    """The caller's role or scope does not allow this (403)."""
