"""One pooled HTTP session per endpoint for Rasa's calls to the action server.

Rasa 3.6's `EndpointConfig.request` opens a new aiohttp `ClientSession` (and so a new TCP
connection) for every call and closes it afterwards; a question turn makes two calls
(`action_validate_slot_mappings`, then the answer action). Measured with py-spy that was about
a seventh of Rasa's CPU per message. `request` below is Rasa's own, line for line, except that
the session is kept per endpoint and event loop, with keep-alive connections that are dropped
after 30 s idle (the action server keeps them 120 s, so Rasa never reuses one the server is
closing). A session whose loop has gone is replaced. Imported by sitecustomize and civic_rasa.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from typing import Any

import aiohttp
from aiohttp.client_exceptions import ContentTypeError
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils import endpoints
from rasa.utils.endpoints import ClientResponseError, concat_url

KEEPALIVE_S = 30.0


def _pooled_session(config: endpoints.EndpointConfig) -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    held = getattr(config, "_civic_session", None)
    if held is not None and held[0] is loop and not held[1].closed:
        session: aiohttp.ClientSession = held[1]
        return session
    auth = None
    if config.basic_auth:
        auth = aiohttp.BasicAuth(config.basic_auth["username"], config.basic_auth["password"])
    session = aiohttp.ClientSession(
        headers=config.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
    )
    config._civic_session = (loop, session)  # type: ignore[attr-defined]
    return session


async def request(
    self: endpoints.EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any | None:
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs["headers"])
        del kwargs["headers"]
    if self.headers:
        headers.update(self.headers)
    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."  # noqa: ASYNC240 (as Rasa's own)
            ) from e
    session = _pooled_session(self)
    async with session.request(
        method,
        url,
        headers=headers,
        params=self.combine_parameters(kwargs),
        compress=compress,
        ssl=sslcontext,
        **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(
                response.status, response.reason, await response.content.read()
            )
        try:
            return await response.json()
        except ContentTypeError:
            return None


endpoints.EndpointConfig.request = request
