"""Signed anonymous identities for the web chat widget (no API key in the browser).

The gateway issues `<id>.<signature>`; the browser keeps it in localStorage and presents it
when it connects. The channel identity is `web:<id>`. A token cannot be forged without the
gateway's secret (CIVIC_WEB_SECRET, or one derived from CIVIC_SERVICE_TOKEN).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _signature(secret: bytes, web_id: str) -> str:
    digest = hmac.new(secret, f"web:{web_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(secret: bytes) -> str:
    web_id = secrets.token_urlsafe(16)
    return f"{web_id}.{_signature(secret, web_id)}"


def verify(secret: bytes, token: str | None) -> str | None:
    """The channel identity of a valid token, else None."""
    if not token or token.count(".") != 1:
        return None
    web_id, signature = token.split(".")
    if not _ID.match(web_id) or not hmac.compare_digest(_signature(secret, web_id), signature):
        return None
    return f"web:{web_id}"
