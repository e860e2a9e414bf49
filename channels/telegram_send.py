"""Outgoing Telegram messages: splitting, keyboards, and calls retried with backoff."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from redis.asyncio import Redis
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.conversation import render
from bot.messages import Button, OutgoingMessage
from bot.storage import keys
from bot.texts import text as say
from channels.telegram_pace import TelegramPace

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_CHARS = 4096
MAX_CALLBACK_BYTES = 64
ATTEMPTS = 5
CHOICES_TTL_S = 30 * 24 * 3600
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, else a line, else a space."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > limit // 4:
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


async def with_retry(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a Bot API call; 429 waits `retry_after`, network errors back off 0.5, 1, 2, 4 s."""
    backoff = 0.5
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == ATTEMPTS:
                raise
            wait = _seconds(exc.retry_after)
            log.info("telegram %s: flood control, retrying in %.1f s", what, wait)
            await asyncio.sleep(wait)
        except (BadRequest, Forbidden, InvalidToken):
            raise  # our request or the chat is wrong: retrying cannot help
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            if attempt == ATTEMPTS:
                raise
            log.info("telegram %s failed (%s), retrying in %.1f s", what, exc, backoff)
            await asyncio.sleep(backoff)
            backoff *= 2
    raise AssertionError("unreachable")


def numbered(buttons: tuple[Button, ...]) -> list[str]:
    return [f"{number}. {b.title}" for number, b in enumerate(buttons, 1)]


class TelegramSender:
    """Sends outgoing messages to one chat: text pieces, then the keyboard with the last one."""

    def __init__(self, bot: Bot, redis: Redis) -> None:
        self.bot = bot
        self.redis = redis
        self.pace = TelegramPace(redis)

    async def callback_data(self, payload: str) -> str:
        """Telegram allows 64 bytes of callback data; longer payloads go by reference."""
        if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith("#"):
            return payload
        digest = hashlib.sha256(payload.encode()).hexdigest()[:24]
        await self.redis.set(keys.telegram_payload(digest), payload, ex=CHOICES_TTL_S)
        return "#" + digest

    async def payload_of(self, data: str) -> str | None:
        if not data.startswith("#"):
            return data
        raw = await self.redis.get(keys.telegram_payload(data[1:]))
        return raw.decode() if isinstance(raw, bytes) else raw

    async def _markup(
        self, chat_id: int, message: OutgoingMessage, simple: bool, lang: str
    ) -> Markup | None:
        choices = keys.telegram_choices(chat_id)
        if simple:
            # large numbered choices that stay on screen, and always a way to a person
            rows = [[KeyboardButton(label)] for label in numbered(message.buttons)]
            rows.append([KeyboardButton(f"0. {say('talk_to_person', lang)}")])
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(choices)
                for b in message.buttons:
                    pipe.rpush(choices, b.payload)
                pipe.rpush(choices, "")  # marks the keyboard as shown even with no buttons
                pipe.expire(choices, CHOICES_TTL_S)
                await pipe.execute()
            return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)
        if await self.redis.delete(choices) and not message.buttons:
            return ReplyKeyboardRemove()  # simplified mode was switched off
        if not message.buttons:
            return None
        rows_inline = [
            [InlineKeyboardButton(b.title[:64], callback_data=await self.callback_data(b.payload))]
            for b in message.buttons
        ]
        return InlineKeyboardMarkup(rows_inline)

    async def send(
        self, chat_id: int, message: OutgoingMessage, simple: bool, lang: str, pushed: bool = False
    ) -> None:
        """Send one message (in pieces when long). Every piece waits for the bot's share of
        Telegram's rate across replicas; a `pushed` one also for its chat's one a second."""
        body = message.text
        if simple and message.buttons:
            body = "\n".join([body, *numbered(message.buttons)]) if body else body
        pieces = split_text(body or "…")
        markup = await self._markup(chat_id, message, simple, lang)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await self.pace.wait(chat_id, pace_chat=pushed)
            await with_retry(
                lambda piece=piece, last=last: self.bot.send_message(  # type: ignore[misc]
                    chat_id, piece, reply_markup=markup if last else None
                ),
                "sendMessage",
            )

    async def choice(self, chat_id: int, text: str) -> str | None:
        """The payload of a numbered choice ('2' or '2. Passport') in simplified mode."""
        head = text.strip().split(".", 1)[0].strip()
        if head == "0":
            return render.HANDOFF_PAYLOAD
        if not head.isdigit():
            return None
        raw: list[bytes | str] = await self.redis.lrange(  # type: ignore[misc]
            keys.telegram_choices(chat_id), 0, -1
        )
        payloads = [x.decode() if isinstance(x, bytes) else x for x in raw if x]
        index = int(head) - 1
        return payloads[index] if 0 <= index < len(payloads) else None
