"""Domain errors of the accounts app, with a message people can read."""

from __future__ import annotations


class IdTokenInvalid(Exception):
    """A change to an id token breaks a rule; `field` names the input at fault, if one is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class IdTokenChangeRefused(IdTokenInvalid):
    """The change is not the user's to make, e.g. a driver unblocking a card an operator
    blocked. A kind of IdTokenInvalid, so a page that handles one handles both."""


class ProfileInvalid(Exception):
    """A driver profile change breaks a rule; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
