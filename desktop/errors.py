"""Errors a user can act on: each carries one French sentence to show as is."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; ``message`` is shown verbatim, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DatabaseError(UserError):
    """The database cannot be used: unreachable, corrupt, foreign or too new."""


class NotFoundError(UserError):
    """The record asked for does not exist (any more)."""


class ConflictError(UserError):
    """Another desktop saved the record since it was read; nothing was written."""

    def __init__(self, message: str, *, changed_by: str | None, current_version: int) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.current_version = current_version

    def __reduce__(self) -> tuple[object, ...]:
        kwargs = {"changed_by": self.changed_by, "current_version": self.current_version}
        return _rebuild_conflict, (self.message, kwargs)


def _rebuild_conflict(message: str, kwargs: dict[str, object]) -> ConflictError:
    return ConflictError(message, **kwargs)  # type: ignore[arg-type]


class PermissionDeniedError(UserError):
    """The staff account's role does not allow this action; nothing was written."""
