"""Errors the domain raises when a command breaks a rule; nothing is recorded then."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aggregates.criteria import UnmetCriterion


class DomainError(Exception):
    """A command was refused; `rule` names the rule, the message explains it."""

    rule = "domain_rule"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleViolation(DomainError):
    """The command is well formed but breaks a rule of the collaborative."""


class ActivityNotAllowed(RuleViolation):
    """The activity is not allowed in the collaborative's current phase."""

    rule = "activity_not_allowed_in_phase"


class PhaseExitBlocked(RuleViolation):
    """The current phase cannot close: its exit criteria are unmet and no override."""

    rule = "phase_exit_criteria_unmet"

    def __init__(self, message: str, unmet: Sequence[UnmetCriterion]) -> None:
        super().__init__(message)
        self.unmet = list(unmet)


class PermissionDenied(DomainError):
    """The actor's role may not do this."""

    rule = "role_not_permitted"
