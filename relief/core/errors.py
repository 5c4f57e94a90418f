"""Errors an operation raises for its caller to show: the message is for the user."""


class OperationError(Exception):
    """A refused state change. ``field`` names the input at fault, when there is one."""

    code = "invalid"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(OperationError):
    """The record is not in a state that allows the change (or changed meanwhile)."""

    code = "conflict"


class Forbidden(OperationError):
    """The actor may not make this change (e.g. approving one's own proposal)."""

    code = "forbidden"
