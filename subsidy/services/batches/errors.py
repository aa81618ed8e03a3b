"""The batch services' own errors. Each carries what the person is told; the two file
errors also carry every problem found (subsidy.api.errors lists them)."""

from __future__ import annotations

from typing import Any

from subsidy.exceptions import DomainError


class AlreadyInBatch(DomainError):
    """Another batch took the claim first."""


class ExportRefused(DomainError):
    def __init__(self, message: Any, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class ReturnFileUnreadable(DomainError):
    def __init__(self, message: Any, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems
