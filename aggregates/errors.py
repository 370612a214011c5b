"""Errors the domain raises when a command breaks a rule; nothing is recorded then."""

from __future__ import annotations


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


class PermissionDenied(DomainError):
    """The actor's role may not do this."""

    rule = "role_not_permitted"
