"""What a citizen in the handoff hears from the gateway itself when they write a command:

- waiting in the queue, `/start`, `/help`, `/human`, "human", "人工", `0` (or any other way of
  asking for a person) re-tell their place and wait instead of silence;
- with an agent, `/start` and `/help` say a person is with them; everything else (including
  `0`, which may be an answer to the agent) goes to the agent.
"""

from __future__ import annotations

from bot.handoff.queue import QueuePlace
from bot.handoff.texts import system
from bot.messages import OutgoingMessage

# as typed in a REST or web client, or as the Telegram adapter maps its commands
START_OR_HELP = frozenset({"/start", "/greet", "/help", "/restart"})
ASK_AGAIN = START_OR_HELP | {"/human"}  # and every way of asking for a person


def while_waiting(lang: str, place: QueuePlace) -> OutgoingMessage:
    minutes = max(1, round(place.estimated_wait_s / 60))
    return system("still_waiting", lang, position=place.position, minutes=minutes)


def while_with_agent(text: str, lang: str) -> OutgoingMessage | None:
    """The reply to `/start` or `/help` while an agent holds the conversation; None: the
    message is for the agent."""
    if text.strip().lower() in START_OR_HELP:
        return system("agent_with_you", lang)
    return None
