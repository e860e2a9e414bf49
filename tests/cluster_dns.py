"""A cluster's DNS as ``socket.getaddrinfo`` sees it, for tests of `civic kb reload`'s
discovery: this machine resolves no name to several addresses, a headless Service does (one
record per ready pod). Only the resolver is stood in for; connections go to the real
addresses."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

Resolver = Callable[..., list[tuple[Any, ...]]]


def cluster_dns(name: str, *addresses: str) -> Resolver:
    """getaddrinfo answering ``name`` with ``addresses`` (IPv4 and IPv6) and no other name."""

    def resolve(host: str, port: int, *_: Any, **__: Any) -> list[tuple[Any, ...]]:
        if host != name:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        records: list[tuple[Any, ...]] = []
        for address in addresses:
            if ":" in address:
                records.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                records.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return records

    return resolve
