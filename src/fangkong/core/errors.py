"""Domain errors; handlers map them to HTTP answers in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; the message names the field and is safe to show the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Missing *or* outside the actor's jurisdiction: the two must look the same."""

    def __init__(self, what: str = "object") -> None:
        super().__init__(f"{what} not found")


class PermissionDenied(DomainError):
    """The actor lacks the right; used for actions, never to reveal an object exists."""


class Conflict(DomainError):
    """The object is not in a state that allows this action."""
