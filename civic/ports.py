"""Free TCP ports for processes started later (the bench's stack, the tests' servers).

The usual trick, binding port 0 and closing, hands out a port from the kernel's ephemeral
range: the range it also takes the local port of every outgoing connection from. The action
server binds its port only after loading the knowledge base (10-20 s later); in between, any
outgoing connection on the machine may take that port, and Sanic then logs "Unable to start
server" and exits with code 0 (a bench run failed this way). Ports below the ephemeral range
are never given to outgoing connections, so a port chosen there stays free unless a server
binds it on purpose.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 20000
_handed_out: set[int] = set()


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range for outgoing connections' local ports (Linux's default otherwise)."""
    try:
        low, high = (int(x) for x in _RANGE_FILE.read_text().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port(rng: random.Random | None = None) -> int:
    """A port below the ephemeral range that nothing listens on now and that this process
    has not handed out before."""
    rng = rng or random.SystemRandom()
    low, _ = ephemeral_range()
    if low - _LOWEST >= 1000:
        for _ in range(200):
            port = rng.randrange(_LOWEST, low)
            if port not in _handed_out and _bindable(port):
                _handed_out.add(port)
                return port
    with socket.socket() as s:  # no room or nothing free below the range: the kernel's choice
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    _handed_out.add(port)
    return port


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
