"""Every Redis key name the project uses, built in one place.

Rasa's tracker and lock stores use `key_prefix: rasa` in endpoints.yml, which Rasa turns into
`rasa:tracker:<sender>` and `rasa:lock:<sender>`; they are listed here so that one module
documents the whole key space.
"""

PREFIX = "civic"
RASA_TRACKER_PREFIX = "rasa:tracker:"  # Rasa only accepts an alphanumeric prefix
RASA_LOCK_PREFIX = "rasa:lock:"


def session(citizen_id: str) -> str:
    """JSON blob: language, simplified mode, conversation mode, open ticket."""
    return f"{PREFIX}:session:{citizen_id}"


def conversation_lock(citizen_id: str) -> str:
    """Serialises the turns of one citizen across gateway replicas."""
    return f"{PREFIX}:lock:conversation:{citizen_id}"


def identity(channel_identity: str) -> str:
    """Maps a channel identity (`rest:abc`, `telegram:123`) to its citizen id."""
    return f"{PREFIX}:identity:{channel_identity}"


def handoff_queue() -> str:
    """Sorted set of waiting ticket ids, scored by priority-adjusted enqueue time."""
    return f"{PREFIX}:handoff:queue"


def handoff_pickups() -> str:
    """List of recent pick-up durations in seconds (newest first), for wait estimates."""
    return f"{PREFIX}:handoff:pickups"


def handoff_claim(ticket_id: int) -> str:
    """Who holds a ticket; SET NX makes claiming atomic."""
    return f"{PREFIX}:handoff:claim:{ticket_id}"


def handoff_events_channel() -> str:
    """Pub/sub channel with live queue and conversation events for the console."""
    return f"{PREFIX}:handoff:events"


def outbox_channel(citizen_id: str) -> str:
    """Pub/sub channel announcing new outgoing messages for one citizen (live channels)."""
    return f"{PREFIX}:outbox:{citizen_id}"


def dedup(channel: str, update_id: str) -> str:
    """Marks a channel update as processed so that a redelivery is handled once."""
    return f"{PREFIX}:dedup:{channel}:{update_id}"


def rate_limit(citizen_id: str, window: int) -> str:
    """Message counter of one citizen in one time window."""
    return f"{PREFIX}:rate:{citizen_id}:{window}"
