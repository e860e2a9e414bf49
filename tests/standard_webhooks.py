"""An independent Standard Webhooks verifier for the tests, written from the specification
(https://www.standardwebhooks.com), not from the gateway's code: the key is the
base64-decoded part of `whsec_...`; the signed content is "<webhook-id>.<webhook-timestamp>.
<body>"; `webhook-signature` is a space-separated list of "v1,<base64 HMAC-SHA256>"."""

from __future__ import annotations

import base64
import hashlib
import hmac


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        version == "v1" and hmac.compare_digest(sig, expected)
        for version, _, sig in (s.partition(",") for s in headers["webhook-signature"].split())
    )
