"""The gateway's exception hierarchy."""


class CivicError(Exception):
    """Base class of every error the gateway raises on purpose."""


class ConfigError(CivicError):
    """A setting is missing or malformed; the message names the variable."""


class RasaUnavailable(CivicError):
    """Rasa (or the action server behind it) did not answer in time or answered with an error."""


class StoreUnavailable(CivicError):
    """Redis or the SQL database cannot be reached."""


class InvalidMessage(CivicError):
    """A citizen message that cannot be processed (empty, oversized, not text)."""

    def __init__(self, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class NotFound(CivicError):
    """The requested object does not exist (or is not visible to the caller)."""
