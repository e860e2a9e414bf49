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
    """Who holds a ticket; set only by the claim script, atomically with leaving the queue."""
    return f"{PREFIX}:handoff:claim:{ticket_id}"


def handoff_events_channel() -> str:
    """Pub/sub channel with live queue and conversation events for the console."""
    return f"{PREFIX}:handoff:events"


def outbox_channel(citizen_id: str) -> str:
    """Pub/sub channel announcing new outgoing messages for one citizen (live channels)."""
    return f"{PREFIX}:outbox:{citizen_id}"


def idle_index() -> str:
    """Sorted set: simplified-mode citizens by the time of their last message (reminders)."""
    return f"{PREFIX}:idle"


def dedup(channel: str, update_id: str) -> str:
    """Marks a channel update as processed so that a redelivery is handled once."""
    return f"{PREFIX}:dedup:{channel}:{update_id}"


def rate_limit(channel_identity: str, window: int) -> str:
    """Message counter of one sender (channel identity) in one time window."""
    return f"{PREFIX}:rate:{channel_identity}:{window}"


def handoff_ticket(ticket_id: int) -> str:
    """Hash with a waiting or held ticket's live state: team, kind, score, last activity."""
    return f"{PREFIX}:handoff:ticket:{ticket_id}"


def handoff_told() -> str:
    """Hash ticket id -> the queue position the citizen was last told."""
    return f"{PREFIX}:handoff:told"


def handoff_told_at() -> str:
    """Hash ticket id -> when the citizen was last told their place (epoch seconds)."""
    return f"{PREFIX}:handoff:told_at"


def handoff_retell_lock() -> str:
    """Serialises re-telling queue positions across gateway replicas."""
    return f"{PREFIX}:lock:handoff:retell"


def handoff_sweep_lock() -> str:
    """Only one gateway replica runs the abandonment sweep at a time."""
    return f"{PREFIX}:lock:handoff:sweep"


def agent_session(token_digest: str) -> str:
    """JSON blob of a console session; keyed by the SHA-256 of the token, never the token."""
    return f"{PREFIX}:agent:session:{token_digest}"


def agent_login_failures(scope: str) -> str:
    """Failed console logins per username or client address, for the login rate limit."""
    return f"{PREFIX}:agent:login-failures:{scope}"


def outbox_pattern() -> str:
    """Pattern matching every citizen's outbox channel (one subscriber per gateway replica)."""
    return f"{PREFIX}:outbox:*"


def identities(citizen_id: str) -> str:
    """Set of the channel identities linked to one citizen (where deliveries go)."""
    return f"{PREFIX}:identities:{citizen_id}"


def delivery_cursor(channel_identity: str) -> str:
    """Highest message id already handled for push delivery to one channel identity."""
    return f"{PREFIX}:delivery:cursor:{channel_identity}"


def delivered(message_id: int, channel_identity: str) -> str:
    """SET NX claim: one message goes to one channel identity once, across replicas."""
    return f"{PREFIX}:delivery:sent:{message_id}:{channel_identity}"


def link_code(code: str) -> str:
    """A one-time account-linking code -> the citizen id that asked for it (10 min TTL)."""
    return f"{PREFIX}:link:code:{code}"


def link_attempts(channel_identity: str) -> str:
    """Wrong linking codes typed by one channel identity (limits guessing)."""
    return f"{PREFIX}:link:attempts:{channel_identity}"


def rest_client(conversation_id: str) -> str:
    """Which REST client (hash of its API key) speaks for a REST conversation."""
    return f"{PREFIX}:rest:client:{conversation_id}"


def rest_callback(client_id: str) -> str:
    """The push callback URL a REST client registered."""
    return f"{PREFIX}:rest:callback:{client_id}"


def telegram_choices(chat_id: int) -> str:
    """The buttons last shown in a Telegram chat (numbered reply keyboard -> payloads)."""
    return f"{PREFIX}:telegram:choices:{chat_id}"


def handoff_open() -> str:
    """Set of the ids of every ticket that is waiting or held (not yet closed)."""
    return f"{PREFIX}:handoff:open"


def telegram_payload(digest: str) -> str:
    """A button payload too long for Telegram's 64-byte callback data, by its digest."""
    return f"{PREFIX}:telegram:payload:{digest}"


def waiting_ack(citizen_id: str) -> str:
    """Set (with a TTL) when a waiting citizen's message was last acknowledged."""
    return f"{PREFIX}:handoff:ack:{citizen_id}"


def handoff_offers() -> str:
    """ZSET ticket id -> deadline: tickets assigned to an agent and not yet accepted."""
    return f"{PREFIX}:handoff:offers"


def desk_profiles() -> str:
    """HASH agent -> "team|lang,lang|capacity" (what automatic assignment matches on)."""
    return f"{PREFIX}:agent:desk:profiles"


def desk_status() -> str:
    """HASH agent -> online | away | offline (as the agent set it or the gateway decided)."""
    return f"{PREFIX}:agent:desk:status"


def desk_seen() -> str:
    """ZSET agent -> when their console was last connected (a heartbeat)."""
    return f"{PREFIX}:agent:desk:seen"


def desk_active() -> str:
    """HASH agent -> when they last did something in the console (idle -> away)."""
    return f"{PREFIX}:agent:desk:active"


def desk_idle() -> str:
    """HASH agent -> since when they have had no new ticket (ties go to the longest idle)."""
    return f"{PREFIX}:agent:desk:idle"


def desk_lock() -> str:
    return f"{PREFIX}:lock:handoff:desk"


def agent_sessions_of(username: str) -> str:
    """SET of session digests of one account (to end them when it is disabled or changed)."""
    return f"{PREFIX}:agent:sessions-of:{username}"


def handoff_claim_prefix() -> str:
    return f"{PREFIX}:handoff:claim:"


def handoff_ticket_prefix() -> str:
    return f"{PREFIX}:handoff:ticket:"


def agent_password_link(token_digest: str) -> str:
    """A set-password link's account (24 h; only the token's SHA-256 is stored)."""
    return f"{PREFIX}:agent:password-link:{token_digest}"


def handoff_alerted() -> str:
    """SET of `alert:ticket_id` already raised (callback due, SLA at risk): each once."""
    return f"{PREFIX}:handoff:alerted"


def telegram_rate() -> str:
    """Messages the bot sent to Telegram in the current one-second window (every replica)."""
    return f"{PREFIX}:telegram:rate"


def telegram_chat_next(chat_id: int) -> str:
    """When (Redis time, ms) the next pushed message to this chat may go (one a second)."""
    return f"{PREFIX}:telegram:next:{chat_id}"


def outcome_events() -> str:
    """List of outcome events (JSON) waiting to be moved to SQL (bot/outcomes/events.py)."""
    return f"{PREFIX}:outcomes:queue"


def open_forms() -> str:
    """Sorted set: forms being filled in ("<subject>|<form>") by the time of their last event
    (bot/outcomes/idle_forms.py counts those left idle past the session idle time)."""
    return f"{PREFIX}:outcomes:open_forms"


def open_form_steps() -> str:
    """Hash: an open form ("<subject>|<form>") -> its current step, language and channel."""
    return f"{PREFIX}:outcomes:open_form_steps"
