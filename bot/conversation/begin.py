"""The first round trip of a citizen's turn (bot/conversation/router.py): resolve the
citizen, count the message, take the citizen's turn lock and read the session, in one Redis
pipeline whose replies are read by name."""

from __future__ import annotations

from collections.abc import Mapping

from redis.asyncio import Redis

from bot.conversation.language import detect, normalise
from bot.conversation.ratelimit import RateLimited, RateLimiter
from bot.conversation.turn_lock import TurnLock
from bot.messages import IncomingMessage
from bot.storage import keys
from bot.storage.replies import Replies
from bot.storage.sessions import Session, SessionStore


async def begin(
    redis: Redis,
    sessions: SessionStore,
    rate_limiter: RateLimiter | None,
    lock_wait_s: float,
    channel_identity: str,
    message: IncomingMessage,
    text: str,
    remember: Mapping[str, str] | None,
) -> tuple[str, TurnLock, Session]:
    """Resolve the citizen, count the message, take the citizen's turn lock and read the
    session, in one round trip in the usual case.

    The citizen id is guessed to be the channel identity itself (an identity is someone
    else's only after account linking) and checked in the same pipeline; the session read
    after SET NX is only used when the lock was ours. A linked identity costs three more
    round trips. Raises RateLimited (lock released) over the limit."""
    guess = channel_identity
    lock = TurnLock(redis, keys.conversation_lock(guess), blocking_timeout_s=lock_wait_s)
    pipe = redis.pipeline(transaction=False)
    replies = Replies(pipe)
    replies.next("linked")
    pipe.get(keys.identity(channel_identity))
    for key, value in (remember or {}).items():
        pipe.set(key, value)
    now = 0.0
    if rate_limiter is not None:
        now = rate_limiter.count_in(pipe, replies, channel_identity)
    lock.try_acquire_in(pipe, replies)
    replies.next("session")
    pipe.get(keys.session(guess))
    got = replies.read(await pipe.execute())
    got_lock = lock.acquired(got["locked"])
    if rate_limiter is not None:
        lang = normalise(message.lang) or detect(text) or sessions.default_lang
        try:
            rate_limiter.verdict(int(got["count"]), now, lang)
        except RateLimited:
            await lock.release()
            raise
    linked = got["linked"].decode() if isinstance(got["linked"], bytes) else got["linked"]
    if linked and linked != guess:  # a linked identity: the turn is its citizen's
        await lock.release()
        lock = TurnLock(redis, keys.conversation_lock(linked), blocking_timeout_s=lock_wait_s)
        await lock.acquire()
        return linked, lock, await sessions.get(linked)
    if got_lock:
        return guess, lock, sessions.decode(guess, got["session"])
    await lock.acquire()  # another turn of this citizen is running: wait for it
    return guess, lock, await sessions.get(guess)
