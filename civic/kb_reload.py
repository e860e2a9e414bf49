"""`civic kb reload`: every action server rebuilds its index from the guides folder in the
background and switches to it; the command returns once each one serves the new index.

It asks each server (``POST /kb/reload`` with the service token) for the fingerprint the new
index will have, then polls ``GET /kb`` until the server reports that fingerprint (or a later
one, when another reload followed). The servers:

- CIVIC_ACTIONS_DISCOVERY (``host:port``, comma-separated for several): every address the
  host name resolves to (all A and AAAA records), each one server. In a cluster this names the
  action servers' headless Service (``civic-actions-headless:5055``), whose name resolves to
  every ready pod, so the command reaches each replica, not one behind a load balancer.
- else CIVIC_ACTIONS_URLS (comma-separated: every replica) or CIVIC_ACTIONS_URL (Rasa's action
  endpoint, ``/webhook`` dropped), else ``http://127.0.0.1:$CIVIC_ACTIONS_PORT``.

The action servers also watch their guides folder themselves (CIVIC_KB_WATCH_S,
knowledge_base/watch.py): this command is the explicit "apply now and wait until every server
serves it". The console's suggestions follow by themselves (they notice the changed folder,
console/suggestions.py)."""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from common.errors import ConfigError

Print = Callable[[str], None]
Resolver = Callable[..., list[tuple[Any, ...]]]  # socket.getaddrinfo's signature


class DiscoveryError(ConfigError):
    """CIVIC_ACTIONS_DISCOVERY is malformed or names a host with no address."""


def _host_port(spec: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port`` (``http://`` allowed and dropped)."""
    text = spec.strip().removeprefix("http://").rstrip("/")
    host, sep, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DiscoveryError(f"CIVIC_ACTIONS_DISCOVERY: expected host:port, got {spec!r}")
    return host, int(port)


def discover(spec: str, resolve: Resolver = socket.getaddrinfo) -> list[str]:
    """The URL of every address each ``host:port`` of ``spec`` resolves to (sorted, no
    duplicates); DiscoveryError when a name resolves to nothing."""
    urls: set[str] = set()
    for item in (part for part in spec.split(",") if part.strip()):
        host, port = _host_port(item)
        try:
            records = resolve(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:  # socket.gaierror: no such name (no ready pod, a typo)
            raise DiscoveryError(f"{host}:{port} does not resolve ({exc})") from exc
        if not records:
            raise DiscoveryError(f"{host}:{port} resolves to no address")
        for _family, _type, _proto, _name, address in records:
            ip = ipaddress.ip_address(str(address[0]).split("%")[0])
            shown = f"[{ip}]" if ip.version == 6 else str(ip)
            urls.add(f"http://{shown}:{port}")
    if not urls:
        raise DiscoveryError(f"CIVIC_ACTIONS_DISCOVERY names no host: {spec!r}")
    return sorted(urls)


def action_urls(env: Mapping[str, str], resolve: Resolver = socket.getaddrinfo) -> list[str]:
    """The base URLs of the action servers to reload (DiscoveryError when
    CIVIC_ACTIONS_DISCOVERY is set and resolves to nothing)."""
    if (env.get("CIVIC_ACTIONS_DISCOVERY") or "").strip():
        return discover(env["CIVIC_ACTIONS_DISCOVERY"], resolve)
    listed = [u.strip() for u in (env.get("CIVIC_ACTIONS_URLS") or "").split(",") if u.strip()]
    if not listed and env.get("CIVIC_ACTIONS_URL", "").strip():
        listed = [env["CIVIC_ACTIONS_URL"].strip()]
    if not listed:
        listed = [f"http://127.0.0.1:{env.get('CIVIC_ACTIONS_PORT') or '5055'}"]
    out = []
    for url in listed:
        url = url.rstrip("/")
        out.append(url[: -len("/webhook")] if url.endswith("/webhook") else url)
    return out


def service_token(env: Mapping[str, str], var_dir: Path) -> str:
    """CIVIC_SERVICE_TOKEN, else the development token `civic up` made in var/."""
    token = (env.get("CIVIC_SERVICE_TOKEN") or "").strip()
    if token:
        return token
    try:
        data = json.loads((var_dir / "dev-secrets.json").read_text())
    except (OSError, ValueError):
        return ""
    return str(data.get("service_token") or "")


@dataclass
class Outcome:
    url: str
    ok: bool
    detail: str
    fingerprint: str | None = None
    seconds: float = 0.0


def _ask(client: httpx.Client, url: str) -> tuple[str | None, str]:
    """POST /kb/reload: (the fingerprint to wait for, "") or (None, why not)."""
    try:
        response = client.post(url + "/kb/reload")
    except httpx.HTTPError as exc:
        return None, f"no answer ({exc})"
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.status_code != 202:
        return None, f"refused ({response.status_code}): {body.get('error') or response.text}"
    return str(body["target"]), ""


def _done(status: dict[str, Any], target: str) -> tuple[bool, str]:
    """(finished, error): finished when the server serves the target (or a later request's
    index) and no rebuild runs; an error when the rebuild failed."""
    if status.get("fingerprint") == target:
        return True, ""
    if status.get("reloading"):
        return False, ""
    if status.get("error"):
        return True, str(status["error"])
    if status.get("target") not in (None, target) and status.get("fingerprint") == status.get(
        "target"
    ):
        return True, ""  # another reload asked for later guides, and it is served
    return True, f"serves {status.get('fingerprint')}, not {target}"


def reload_servers(
    urls: list[str], token: str, timeout_s: float = 900.0, poll_s: float = 0.2
) -> list[Outcome]:
    """Reload every server (all asked first, then all waited for)."""
    headers = {"Authorization": f"Bearer {token}"}
    started = time.monotonic()
    outcomes: dict[str, Outcome] = {}
    targets: dict[str, str] = {}
    with httpx.Client(headers=headers, timeout=30) as client:
        for url in urls:
            target, why = _ask(client, url)
            if target is None:
                outcomes[url] = Outcome(url, False, why)
            else:
                targets[url] = target
        while targets and time.monotonic() - started < timeout_s:
            for url, target in list(targets.items()):
                try:
                    status: dict[str, Any] = client.get(url + "/kb").json()
                except (httpx.HTTPError, ValueError):
                    continue  # a slow answer while it rebuilds: ask again
                finished, error = _done(status, target)
                if finished:
                    del targets[url]
                    outcomes[url] = Outcome(
                        url,
                        not error,
                        error or f"serves {status['fingerprint']} ({_guides(status)})",
                        status.get("fingerprint"),
                        time.monotonic() - started,
                    )
            if targets:
                time.sleep(poll_s)
    for url in targets:
        outcomes[url] = Outcome(url, False, f"not reloaded after {timeout_s:.0f} s")
    return [outcomes[url] for url in urls]


def _guides(status: dict[str, Any]) -> str:
    counts = status.get("guides") or {}
    return " + ".join(f"{n} {lang}" for lang, n in counts.items()) + " guides"


def report(outcomes: list[Outcome], out: Print = print) -> int:
    for o in outcomes:
        mark = "✓" if o.ok else "✗"
        timing = f" in {o.seconds:.1f} s" if o.ok else ""
        out(f"{mark} {o.url}: {o.detail}{timing}")
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


def reload_command(
    env: Mapping[str, str],
    var_dir: Path,
    timeout_s: float,
    out: Print,
    resolve: Resolver = socket.getaddrinfo,
) -> int:
    token = service_token(env, var_dir)
    if not token:
        out("✗ no service token: set CIVIC_SERVICE_TOKEN (the action servers' own)")
        return 1
    try:
        urls = action_urls(env, resolve)
    except DiscoveryError as exc:
        out(f"✗ no action server found: {exc}")
        return 1
    if (env.get("CIVIC_ACTIONS_DISCOVERY") or "").strip():
        out(f"{len(urls)} action server(s) found at {env['CIVIC_ACTIONS_DISCOVERY'].strip()}")
    return report(reload_servers(urls, token, timeout_s), out)
