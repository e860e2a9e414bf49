"""The images' HEALTHCHECK: GET CIVIC_HEALTH_URL (default: the gateway's /healthz); exit 0 on
a 2xx answer within five seconds, 1 otherwise. Standard library only: it runs in the gateway
and action-server image and in the Rasa image alike."""

import os
import sys
import urllib.request

URL = os.environ.get("CIVIC_HEALTH_URL") or "http://127.0.0.1:8000/healthz"

try:
    with urllib.request.urlopen(URL, timeout=5) as response:  # noqa: S310 (loopback)
        sys.exit(0 if 200 <= response.status < 300 else 1)
except OSError as exc:
    print(f"unhealthy: {URL}: {exc}", file=sys.stderr)
    sys.exit(1)
