"""Failures the service reports to its callers; the API maps each to one HTTP status."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import Issue


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    """The request is well formed but the current state does not allow it."""

    status_code = 409


class PreconditionFailed(ServiceError):
    """If-Match names a version that is no longer current: someone changed the record."""

    status_code = 412


class PreconditionRequired(ServiceError):
    status_code = 428


class Invalid(ServiceError):
    """Bad input, with each problem located by its field path."""

    status_code = 422

    def __init__(self, issues: Sequence[Issue], prefix: Sequence[str | int] = ("body",)) -> None:
        self.issues = list(issues)
        self.prefix = tuple(prefix)
        super().__init__("; ".join(str(issue) for issue in self.issues))
