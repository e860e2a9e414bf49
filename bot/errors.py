"""The gateway's errors: the shared hierarchy (common/errors.py) and the gateway's own kinds."""

from common.errors import (
    Busy,
    CivicError,
    ConfigError,
    Conflict,
    InvalidInput,
    NotFound,
    StoreUnavailable,
    Unavailable,
)

__all__ = [
    "Busy",
    "CivicError",
    "ConfigError",
    "Conflict",
    "InvalidInput",
    "InvalidMessage",
    "NotFound",
    "RasaUnavailable",
    "StoreUnavailable",
    "Unavailable",
]


class RasaUnavailable(Unavailable):
    """Rasa (or the action server behind it) did not answer in time or answered with an error."""


class InvalidMessage(InvalidInput):
    """A citizen message that cannot be processed (empty, oversized, not text)."""

    def __init__(self, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
