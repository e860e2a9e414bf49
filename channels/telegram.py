"""The Telegram channel (python-telegram-bot 22): updates in, replies and deliveries out.

Channel identity `telegram:<chat_id>`. Decisions:
- only private chats are served (a citizen's details never go to a group); in a group the bot
  answers a command with a note to write privately and ignores everything else;
- an edited message is not processed again (its answer was already given); the citizen gets a
  short note to send the correction as a new message;
- voice notes, stickers, videos, documents and other media get a polite text reply;
- a repeated update_id (webhook redelivery, restart) is processed once (Redis SET NX).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.conversation import render
from bot.delivery.texts import text as say
from bot.errors import InvalidMessage
from bot.gateway import Gateway
from bot.messages import IncomingMessage, OutgoingMessage
from bot.storage import keys
from bot.storage.sessions import Session
from channels.settings import ChannelSettings
from channels.telegram_send import TelegramSender, with_retry

log = logging.getLogger(__name__)
DEDUP_TTL_S = 24 * 3600
COMMANDS = {"/start": "/greet", "/help": "/help", "/human": render.HANDOFF_PAYLOAD}


def identity(chat_id: int) -> str:
    return f"telegram:{chat_id}"


class TelegramChannel:
    def __init__(self, gateway: Gateway, settings: ChannelSettings) -> None:
        assert settings.telegram_token is not None
        self.gateway = gateway
        self.settings = settings
        base = settings.telegram_api_base_url
        builder = (
            Application.builder()
            .token(settings.telegram_token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .concurrent_updates(64)  # different chats in parallel; one chat in order (lock)
        )
        if settings.telegram_webhook_url:
            builder = builder.updater(None)
        self.app = builder.build()
        self.sender = TelegramSender(self.app.bot, gateway.redis)
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._starter: asyncio.Task[None] | None = None
        self.app.add_handler(TypeHandler(Update, self._dedup), group=-1)
        self.app.add_handler(TypeHandler(Update, self._on_update), group=0)
        self.app.add_error_handler(self._on_error)

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Start in the background: the gateway serves other channels while Telegram is down."""
        self._starter = asyncio.create_task(self._start_with_retry())

    async def _start_with_retry(self) -> None:
        backoff = 1.0
        while True:
            try:
                await self.app.initialize()
                break
            except TelegramError as exc:
                log.warning("telegram: cannot reach the Bot API (%s); retrying", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)
        await self.app.start()
        url, secret = self.settings.telegram_webhook_url, self.settings.telegram_webhook_secret
        if url:
            await with_retry(
                lambda: self.app.bot.set_webhook(
                    url, secret_token=secret, allowed_updates=Update.ALL_TYPES
                ),
                "setWebhook",
            )
            log.info("telegram: webhook mode")
        else:
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES
            )
            log.info("telegram: polling mode")

    async def stop(self) -> None:
        if self._starter is not None and not self._starter.done():
            self._starter.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._starter
        with contextlib.suppress(Exception):
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()

    async def feed(self, data: dict[str, Any]) -> None:
        """An update received by the webhook route."""
        update = Update.de_json(data, self.app.bot)
        await self.app.update_queue.put(update)

    # --- the delivery sink ---------------------------------------------------------------

    async def accepts(self, channel_identity: str) -> bool:
        return self.app.running

    async def send(self, channel_identity: str, message: OutgoingMessage, session: Session) -> None:
        chat_id = int(channel_identity.partition(":")[2])
        await self.sender.send(chat_id, message, session.simple_mode, session.lang, pushed=True)

    # --- updates -------------------------------------------------------------------------

    async def _dedup(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        first = await self.gateway.redis.set(
            keys.dedup("telegram", str(update.update_id)), "1", nx=True, ex=DEDUP_TTL_S
        )
        if not first:
            log.info("telegram: update %s seen before, skipped", update.update_id)
            raise ApplicationHandlerStop

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return  # inline queries, polls, membership changes: nothing to answer
        lock = self._chat_locks.setdefault(chat.id, asyncio.Lock())
        async with lock:
            if update.callback_query is not None:
                await self._on_button(update.callback_query)
            elif update.edited_message is not None:
                if update.edited_message.chat.type == ChatType.PRIVATE:
                    await self._say(chat.id, "edited_ignored")
            elif update.message is not None:
                await self._on_message(update.message)

    async def _session(self, chat_id: int) -> Session:
        citizen = await self.gateway.sessions.resolve(identity(chat_id))
        return await self.gateway.sessions.get(citizen)

    async def _say(self, chat_id: int, key: str) -> None:
        session = await self._session(chat_id)
        note = OutgoingMessage(text=say(key, session.lang), sender="system")
        await self.sender.send(chat_id, note, session.simple_mode, session.lang)

    async def _on_message(self, message: Message) -> None:
        chat_id = message.chat.id
        if message.chat.type != ChatType.PRIVATE:
            if message.text and message.text.startswith("/"):
                await self._say(chat_id, "group_not_supported")
            return
        incoming = await self._incoming(message)
        if isinstance(incoming, IncomingMessage):
            await self._route(chat_id, incoming)
        else:
            await self._say(chat_id, incoming)

    async def _incoming(self, message: Message) -> IncomingMessage | str:
        """The message for the router, or the key of a note to answer with instead."""
        chat_id = message.chat.id
        if message.location is not None:
            lat, lon = message.location.latitude, message.location.longitude
            return IncomingMessage(
                text=f"📍 {lat:.6f},{lon:.6f}",
                channel="telegram",
                metadata={"location": {"lat": lat, "lon": lon}},
            )
        if message.photo:
            session = await self._session(chat_id)
            photo = max(message.photo, key=lambda p: p.width * p.height)
            path = await self._store_photo(photo.file_id, photo.file_unique_id)
            return IncomingMessage(
                text=message.caption or say("photo_received", session.lang),
                channel="telegram",
                metadata={
                    "photo": {
                        "file_id": photo.file_id,
                        "file_unique_id": photo.file_unique_id,
                        "path": path,
                    }
                },
            )
        if message.text is None:
            return "media_unsupported"
        text = message.text
        if text.startswith("/"):
            return await self._command(chat_id, text, message)
        choice = await self.sender.choice(chat_id, text)
        return IncomingMessage(text=text, channel="telegram", payload=choice)

    async def _command(self, chat_id: int, text: str, message: Message) -> IncomingMessage | str:
        command, _, argument = text.partition(" ")
        command = command.split("@", 1)[0].lower()
        session = await self._session(chat_id)
        if command in COMMANDS:
            lang = None
            if command == "/start" and message.from_user is not None:
                lang = message.from_user.language_code  # a first hint, before any text
            return IncomingMessage(
                text=text, channel="telegram", payload=COMMANDS[command], lang=lang
            )
        if command == "/simple":
            payload = "/simple_mode_off" if session.simple_mode else "/simple_mode_on"
            return IncomingMessage(text=text, channel="telegram", payload=payload)
        if command == "/lang":
            wanted = argument.strip().lower()[:2] or ("en" if session.lang == "zh" else "zh")
            if wanted == session.lang:
                return "lang_already"
            return IncomingMessage(text=text, channel="telegram", payload="/switch_language")
        if command == "/link":
            return IncomingMessage(
                text=f"link {argument.strip()}".strip(), channel="telegram", payload=None
            )
        return IncomingMessage(text=text.lstrip("/") or text, channel="telegram")

    async def _store_photo(self, file_id: str, unique_id: str) -> str:
        """Download a photo into var/uploads/telegram/ and return its path under var/."""
        folder = self.settings.uploads_dir / "telegram"
        folder.mkdir(parents=True, exist_ok=True)
        safe = "".join(c for c in unique_id if c.isalnum() or c in "-_")[:64] or "photo"
        target = folder / f"{safe}.jpg"
        file = await with_retry(lambda: self.app.bot.get_file(file_id), "getFile")
        await with_retry(lambda: file.download_to_drive(target), "download")
        return str(Path("uploads") / "telegram" / target.name)

    async def _on_button(self, query: CallbackQuery) -> None:
        await with_retry(query.answer, "answerCallbackQuery")
        message = query.message
        if not isinstance(message, Message) or query.data is None:
            return
        payload = await self.sender.payload_of(query.data)
        if payload is None:
            return
        title = payload
        markup = message.reply_markup
        for row in markup.inline_keyboard if markup else ():
            for button in row:
                if button.callback_data == query.data:
                    title = button.text
        if message.text:  # show what was chosen and take the buttons away
            with contextlib.suppress(TelegramError):
                await with_retry(
                    lambda: message.edit_text(f"{message.text}\n\n→ {title}"), "editMessageText"
                )
        await self._route(
            message.chat.id, IncomingMessage(text=title, channel="telegram", payload=payload)
        )

    async def _route(self, chat_id: int, incoming: IncomingMessage) -> None:
        with contextlib.suppress(TelegramError):
            await self.app.bot.send_chat_action(chat_id, ChatAction.TYPING)
        try:
            reply = await self.gateway.router.handle(identity(chat_id), incoming)
        except InvalidMessage as exc:
            await self._say(chat_id, "too_long" if exc.status == 413 else "trouble")
            return
        except Exception:
            log.exception("telegram: a turn failed")
            await self._say(chat_id, "trouble")
            return
        for outgoing in reply.messages:
            await self.sender.send(chat_id, outgoing, reply.state.simple_mode, reply.state.lang)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.warning("telegram: error while handling an update: %r", context.error)
