"""The cheapest possible gateway, for `civic bench --floor`: forwards Rasa's REST webhook.

A plain ASGI app under the same server as the gateway (uvicorn, uvloop, httptools) that
passes each request body to Rasa with the same keep-alive client the gateway uses
(bot/rasa/http_lean.py) and returns Rasa's answer: no Redis, no SQL, no sessions, no validation.
Its latency over Rasa direct is what any separate HTTP process in front of Rasa costs on this
machine (an extra hop each way, the server's request handling); the gateway's overhead beyond
it is the gateway's own work.
Never part of a deployment.

    RASA_URL=http://127.0.0.1:5005 python -m uvicorn bench.proxy_floor:app --port 8099
"""

from __future__ import annotations

import os
from typing import Any

from bot.rasa.http_lean import LeanHttp

_client: LeanHttp | None = None


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _client
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        if _client is not None:
            _client.close()
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if _client is None:
        _client = LeanHttp(os.environ["RASA_URL"])
    status, content = await _client.request("POST", scope["path"], body, 60.0)
    head = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(content))]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": content})
