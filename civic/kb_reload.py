"""`civic kb reload`: every action server rebuilds its index from the guides folder in the
background and switches to it; the command returns once each one serves the new index.

It asks each server (``POST /kb/reload`` with the service token) for the fingerprint the new
index will have, then polls ``GET /kb`` until the server reports that fingerprint (or a later
one, when another reload followed). The servers come from CIVIC_ACTIONS_URLS (comma-separated:
every replica) or CIVIC_ACTIONS_URL (Rasa's action endpoint, ``/webhook`` dropped), else
``http://127.0.0.1:$CIVIC_ACTIONS_PORT``. The console's suggestions follow by themselves (they
notice the changed folder, console/suggestions.py).

``GuideWatcher`` is `civic up`'s file watch: it polls the guides folder and runs the same
reload when a guide is added, removed or saved."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from knowledge_base.live import Signature, folder_signature

Print = Callable[[str], None]


def action_urls(env: Mapping[str, str]) -> list[str]:
    """The base URLs of the action servers to reload."""
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


def reload_command(env: Mapping[str, str], var_dir: Path, timeout_s: float, out: Print) -> int:
    token = service_token(env, var_dir)
    if not token:
        out("✗ no service token: set CIVIC_SERVICE_TOKEN (the action servers' own)")
        return 1
    return report(reload_servers(action_urls(env), token, timeout_s), out)


class GuideWatcher:
    """`civic up`'s file watch: call ``poll()`` often; when the guides folder changed and then
    stayed the same for ``settle_s`` (an editor's save may take several writes), ``on_change``
    runs in a thread of its own; changes during a run are handled after it."""

    def __init__(
        self, guides_dir: Path, on_change: Callable[[], None], settle_s: float = 2.0
    ) -> None:
        self.guides_dir = guides_dir
        self.on_change = on_change
        self.settle_s = settle_s
        self._seen: Signature = folder_signature(guides_dir)
        self._served = self._seen
        self._changed_at = 0.0
        self._last_poll = 0.0
        self._running: threading.Thread | None = None

    def poll(self, now: float | None = None) -> bool:
        """Look at the folder (at most once a second); True when a reload was started."""
        now = time.monotonic() if now is None else now
        if now - self._last_poll < 1.0:
            return False
        self._last_poll = now
        signature = folder_signature(self.guides_dir)
        if signature != self._seen:
            self._seen, self._changed_at = signature, now
            return False
        if signature == self._served or now - self._changed_at < self.settle_s:
            return False
        if self._running is not None and self._running.is_alive():
            return False
        self._served = signature
        self._running = threading.Thread(target=self.on_change, name="guides-watch", daemon=True)
        self._running.start()
        return True
