"""Errors the domain services raise. Views turn them into messages for people."""

from __future__ import annotations

from django.utils.functional import Promise

from subsidy.rules import RuleResult


class DomainError(Exception):
    """A request the scheme's rules refuse; `message` is shown to the user."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class NotPermitted(DomainError):
    """The user may not do this (HTTP 403)."""


class InvalidState(DomainError):
    """Not possible from the record's current state (HTTP 409)."""


class NotEligible(DomainError):
    def __init__(self, message: str | Promise, failures: list[RuleResult]) -> None:
        super().__init__(message)
        self.failures = failures


class PatentAlreadyClaimed(DomainError):
    pass
