"""The turns of a citizen around a person (bot/conversation/router.py calls them): opening a
ticket, or the handoff dialogue's offer instead of one (out of hours, a long wait), and the
citizen's messages while waiting for an agent or talking with one."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation import render
from bot.conversation.turn import Turn
from bot.handoff import citizen
from bot.handoff.dialogue import HandoffDialogue
from bot.handoff.queue import HandoffQueue
from bot.messages import Button, OutgoingMessage
from bot.storage import keys
from bot.storage.sessions import Session
from bot.texts import text as say
from common.vocabulary import CANCEL_PAYLOAD, is_cancel, wants_person

ACK_EVERY_S = 120  # a waiting citizen's messages are acknowledged at most this often


def _stop_waiting(lang: str) -> tuple[Button, ...]:
    return (Button(say("cancel_waiting", lang), CANCEL_PAYLOAD),)


async def open_ticket(
    handoff: HandoffQueue,
    dialogue: HandoffDialogue | None,
    session: Session,
    replies: list[OutgoingMessage],
    *,
    reason: str,
    topic: str | None,
    offer: bool = True,
) -> Turn:
    """A ticket in the queue and the citizen's place in it, after `replies`; with `offer`, the
    dialogue may offer something else instead (a callback, a message)."""
    if offer and dialogue is not None:  # out of hours or a long wait
        instead = await dialogue.offer_instead(session, reason, topic)
        if instead is not None:
            return Turn(instead.session, [*replies, *instead.replies])
    place = await handoff.open(
        session.citizen_id,
        reason=reason,
        topic=topic,
        lang=session.lang,
        simple_mode=session.simple_mode,
    )
    session = session.but(mode="waiting_for_agent", ticket_id=place.ticket_id)
    queued = render.system(
        "queued",
        session.lang,
        _stop_waiting(session.lang),
        position=place.position,
        ahead=place.position - 1,
        minutes=max(1, round(place.estimated_wait_s / 60)),
    )
    return Turn(session, [*replies, queued], place)


async def to_agent(redis: Redis, handoff: HandoffQueue, session: Session, text: str) -> Turn:
    """A message of a citizen waiting for an agent or talking with one: 'stop waiting', a
    command that is not for the agent, or a message for the agent (while waiting: the place
    in the queue when asked, else an acknowledgement at most every ACK_EVERY_S)."""
    ticket_id = session.ticket_id
    if ticket_id is None:  # inconsistent session: fall back to the bot
        return Turn(session.but(mode="bot"), [])
    if session.mode == "waiting_for_agent" and is_cancel(text):
        await handoff.cancel(ticket_id)
        reply = render.system("handoff_cancelled", session.lang)
        return Turn(session.but(mode="bot", ticket_id=None), [reply])
    if session.mode == "with_agent":
        said = citizen.while_with_agent(text, session.lang)
        if said is not None:  # /start, /help: not for the agent
            return Turn(session, [said])
    await handoff.citizen_message(ticket_id)
    if session.mode == "waiting_for_agent":
        place = await handoff.place(ticket_id)
        if text.strip().lower() in citizen.ASK_AGAIN or wants_person(text):
            # asked where they are: always told again
            return Turn(session, [citizen.while_waiting(session.lang, place)], place)
        acknowledge = await redis.set(
            keys.waiting_ack(session.citizen_id), "1", nx=True, ex=ACK_EVERY_S
        )
        if not acknowledge:
            return Turn(session, [], place)
        ack = render.system(
            "waiting_ack", session.lang, _stop_waiting(session.lang), position=place.position
        )
        return Turn(session, [ack], place)
    return Turn(session, [])
