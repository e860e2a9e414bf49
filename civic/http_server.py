"""uvicorn's httptools protocol, with a response's head and body leaving in one write.

uvicorn writes a response's head (status line and headers) when the app sends
`http.response.start` and the body when it sends `http.response.body`: two socket writes, and
the client wakes up twice, for every JSON reply. On this machine that second write and wake-up
cost about 0.1-0.2 ms per message, measured between requests seconds apart the way citizens
write. Here the head waits for the body's first write (the app sends it in the same step) and
the two go out together; a head the app does not follow at once (a stream whose first event is
later) still leaves at the end of the event loop's current pass. Nothing is reordered.

    uvicorn civic.app:create_app --factory --http civic.http_server:OneWriteHttpToolsProtocol
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeadWithBody:
    """A transport whose write() holds a response head back until the next write."""

    __slots__ = ("_head", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._head is not None:
            data, self._head = self._head + bytes(data), None
        elif data[:5] == b"HTTP/" and data[-4:] == b"\r\n\r\n":  # a response head
            self._head = bytes(data)
            self._loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # everything else is the real transport's
        return getattr(self._transport, name)


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(HeadWithBody(transport, self.loop))  # type: ignore[arg-type]
