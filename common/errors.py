"""The one error hierarchy of Civic Assistant, shared by every process.

Every error raised on purpose derives from `CivicError`, under one of five kinds that say what
the caller can do about it. The gateway's HTTP errors follow the kind (api/errors.py): bad
input 4xx, a party that is down 503 ("a store is unavailable" only for Redis and SQL), a
conflict 409.

    CivicError
    ├── ConfigError        a setting is missing or malformed (the message names it): fix and restart
    ├── Unavailable        a party did not answer in time or answered with an error: retry later
    │   ├── StoreUnavailable   Redis or the SQL database
    │   └── ...                Rasa, the cases API (defined where they are called)
    ├── InvalidInput       what was sent cannot be used (empty, oversized, malformed): say so
    ├── NotFound           no such object, or not visible to the caller
    └── Conflict           the object is in another state or held by someone else
        └── Busy           another step of the same conversation holds it; retry shortly
"""

from __future__ import annotations


class CivicError(Exception):
    """Base class of every error Civic Assistant raises on purpose."""


class ConfigError(CivicError):
    """A setting is missing or malformed; the message names the setting (the variable)."""


class Unavailable(CivicError):
    """A party we depend on did not answer in time or answered with an error."""


class StoreUnavailable(Unavailable):
    """Redis or the SQL database cannot be reached."""


class InvalidInput(CivicError):
    """What was sent cannot be used; the message says why."""


class NotFound(CivicError):
    """The requested object does not exist (or is not visible to the caller)."""


class Conflict(CivicError):
    """The object is in another state, or held by someone else."""


class Busy(Conflict):
    """Another step of the same conversation holds it and did not let go in time (a turn
    lock's wait timed out): not a store that is down, the same request may simply be retried."""
