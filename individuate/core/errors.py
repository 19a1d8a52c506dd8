"""One error type for actions, so views and the API report failures the same way."""

from __future__ import annotations


class ActionError(Exception):
    """A request that cannot be carried out; nothing was changed.

    ``code`` maps to an HTTP status in the API: invalid → 422, conflict → 409,
    not_found → 404, forbidden → 403, too_many → 429.
    """

    STATUS = {"invalid": 422, "conflict": 409, "not_found": 404, "forbidden": 403, "too_many": 429}

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 400)
