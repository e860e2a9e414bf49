"""A local fake of the Telegram Bot API, for the real python-telegram-bot to talk to.

It speaks the Bot API's HTTP protocol (`/bot<token>/<method>`, `/file/bot<token>/<path>`) for
the methods the channel uses: getMe, deleteWebhook/setWebhook, long-poll getUpdates,
sendMessage, answerCallbackQuery, editMessageText, sendChatAction, getFile and the file
download. Tests push updates in and read what the bot sent; `fail_next` makes the next calls of
a method answer 429 with a retry_after.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.conftest import free_port

TOKEN = "123456789:AAFakeTokenForTheTestsOnly_0123456789"
BOT_ID = 123456789
# the smallest valid JPEG (1x1 px)
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b"
    "0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e3334"
    "32ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708"
    "090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114"
    "328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748"
    "494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999a"
    "a2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8"
    "e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)


class FakeTelegram:
    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.call_times: list[float] = []
        self.updates: list[tuple[int, dict[str, Any]]] = []  # (serial, update) not confirmed
        self._delivered: set[int] = set()  # serials handed out once
        self._serials = itertools.count()
        self.failures: dict[str, list[int]] = {}
        self.cond = threading.Condition()
        self._ids = itertools.count(1)
        # unique per run: a shared Redis remembers processed update ids for a day
        self._update_ids = itertools.count(random.randint(10**6, 10**9) * 100)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self.server = uvicorn.Server(
            uvicorn.Config(self._app(), host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Telegram server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    # --- test side -------------------------------------------------------------------------

    def push(self, update: dict[str, Any], update_id: int | None = None) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {"update_id": update_id or next(self._update_ids), **update}
        with self.cond:
            self.updates.append((next(self._serials), update))
        if self._loop is not None and self._new_update is not None:
            self._loop.call_soon_threadsafe(self._new_update.set)
        return int(update["update_id"])

    def fail_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        with self.cond:
            self.failures.setdefault(method, []).extend([retry_after] * times)

    def sent(self, chat_id: int, method: str = "sendMessage") -> list[dict[str, Any]]:
        with self.cond:
            return [p for m, p in self.calls if m == method and int(p.get("chat_id", 0)) == chat_id]

    def wait_for(
        self, check: Callable[[], Any], timeout: float = 90.0, what: str = "the bot"
    ) -> Any:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                result = check()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; calls: {self.calls[-8:]}")
                self.cond.wait(min(left, 0.5))

    def wait_texts(self, chat_id: int, count: int, timeout: float = 90.0) -> list[dict[str, Any]]:
        """Wait until the bot sent at least `count` messages to the chat; return them all."""
        result: list[dict[str, Any]] = self.wait_for(
            lambda: (lambda s: s if len(s) >= count else None)(self.sent(chat_id)),
            timeout,
            f"{count} messages to chat {chat_id}",
        )
        return result

    # --- updates the tests send ------------------------------------------------------------

    @staticmethod
    def user(chat_id: int, lang: str = "en") -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": lang}

    def message(self, chat_id: int, chat_type: str = "private", **content: Any) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Test"
        else:
            chat["title"] = "A group"
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user(abs(chat_id)),
            **content,
        }

    def text(self, chat_id: int, text: str, chat_type: str = "private") -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.push({"message": self.message(chat_id, chat_type, **content)})

    def click(self, chat_id: int, sent: dict[str, Any], title_part: str) -> int:
        """Press the inline button of a sent message whose title contains `title_part`."""
        markup = sent["reply_markup"]
        for row in markup["inline_keyboard"]:
            for button in row:
                if title_part.lower() in button["text"].lower():
                    bot_message = {
                        "message_id": sent["result_id"],
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Civic"},
                        "text": sent["text"],
                        "reply_markup": markup,
                    }
                    return self.push(
                        {
                            "callback_query": {
                                "id": f"cq{next(self._ids)}",
                                "from": self.user(chat_id),
                                "chat_instance": "ci",
                                "data": button["callback_data"],
                                "message": bot_message,
                            }
                        }
                    )
        raise AssertionError(f"no button like {title_part!r} in {markup}")

    # --- the HTTP side ---------------------------------------------------------------------

    def _app(self) -> Starlette:
        async def api(request: Request) -> Response:
            if self._loop is None:
                self._loop = asyncio.get_running_loop()
                self._new_update = asyncio.Event()
            method = request.path_params["method"]
            params = await _params(request)
            body = await self._call(method, params)
            return JSONResponse(body, status_code=200 if body["ok"] else body["error_code"])

        async def download(request: Request) -> Response:
            return Response(JPEG, media_type="image/jpeg")

        return Starlette(
            routes=[
                Route("/bot{token}/{method}", api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", download, methods=["GET"]),
            ]
        )

    async def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.cond:
            self.calls.append((method, params))
            self.call_times.append(time.monotonic())
            self.cond.notify_all()
            pending = self.failures.get(method)
            retry_after = pending.pop(0) if pending else None
        if retry_after is not None:
            return {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {retry_after}",
                "parameters": {"retry_after": retry_after},
            }
        if method == "getUpdates":
            return {"ok": True, "result": await self._get_updates(params)}
        result = self._result(method, params)
        if result is None:
            return {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        return {"ok": True, "result": result}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 5.0)
        assert self._new_update is not None
        while True:
            with self.cond:
                # an offset confirms what was handed out before it (like Telegram); an update
                # pushed again with an old update_id is handed out again (a redelivery)
                self.updates = [
                    (n, u)
                    for n, u in self.updates
                    if not (n in self._delivered and u["update_id"] < offset)
                ]
                ready = [(n, u) for n, u in self.updates if n not in self._delivered]
                self._delivered.update(n for n, _ in ready)
            if ready or time.monotonic() >= deadline:
                return [u for _, u in ready]
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
            except TimeoutError:
                pass

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Civic",
                "username": "civic_test_bot",
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in ("deleteWebhook", "setWebhook", "answerCallbackQuery", "sendChatAction"):
            return True
        if method in ("sendMessage", "editMessageText"):
            message_id = next(self._ids)
            params["result_id"] = message_id
            result: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private", "first_name": "Test"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Civic"},
                "text": params.get("text", ""),
            }
            if (
                isinstance(params.get("reply_markup"), dict)
                and "inline_keyboard" in params["reply_markup"]
            ):
                result["reply_markup"] = params["reply_markup"]
            return result
        if method == "getFile":
            return {
                "file_id": params["file_id"],
                "file_unique_id": "uniq-" + str(params["file_id"])[-8:],
                "file_size": len(JPEG),
                "file_path": f"photos/{params['file_id']}.jpg",
            }
        return None


async def _params(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "")
    raw: dict[str, Any]
    if "application/json" in kind:
        raw = await request.json()
    elif kind:
        raw = {k: v for k, v in (await request.form()).items()}
    else:
        raw = dict(request.query_params)
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                value = json.loads(value)
            except ValueError:
                pass
        params[key] = value
    return params
