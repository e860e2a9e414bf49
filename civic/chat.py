"""`civic chat`: a terminal chat against the running gateway; buttons are numbered choices."""

from __future__ import annotations

import sys
import threading
import uuid
from typing import Any

import httpx

PROMPT = "you> "


def show(messages: list[dict[str, Any]], out: Any = sys.stdout) -> list[str]:
    """Print messages; return the payloads of the last message's buttons (for numbers)."""
    payloads: list[str] = []
    for message in messages:
        who = {"bot": "bot", "agent": "agent", "system": "info"}.get(message.get("from", ""), "bot")
        if message.get("text"):
            print(f"{who}> {message['text']}", file=out)
        buttons = message.get("buttons") or []
        if buttons:
            payloads = [b["payload"] for b in buttons]
            for number, button in enumerate(buttons, 1):
                title = button["title"]
                numbered = title[:1].isdigit() and title[1:2] == " "  # simplified mode numbers
                print(f"   {title}" if numbered else f"   {number}. {title}", file=out)
    return payloads


def chat(base_url: str, api_key: str, conversation: str | None, lang: str | None) -> int:
    conversation = conversation or f"terminal-{uuid.uuid4().hex[:12]}"
    url = f"{base_url}/api/v1/conversations/{conversation}/messages"
    headers = {"Authorization": f"Bearer {api_key}"}
    payloads: list[str] = []
    last_id = 0
    seen = _Seen()
    print(f"Chatting as {conversation}. Type a number to choose a button; Ctrl-D to quit.")
    with httpx.Client(timeout=60.0, headers=headers) as client:
        stop = threading.Event()
        poller = threading.Thread(
            target=_poll, args=(base_url, headers, url, seen, stop), daemon=True
        )
        poller.start()
        while True:
            try:
                line = input(PROMPT)
            except (EOFError, KeyboardInterrupt):
                print()
                stop.set()
                return 0
            last_id = max(last_id, seen.last_id)
            text = line.strip()
            if not text:
                # an empty line fetches what arrived meanwhile (agent replies)
                response = client.get(url, params={"after": last_id})
            else:
                body: dict[str, Any] = {"text": text, "lang": lang}
                if text.isdigit() and 0 < int(text) <= len(payloads):
                    body = {"text": text, "payload": payloads[int(text) - 1], "lang": lang}
                response = client.post(url, json=body)
            if response.status_code != 200:
                error = response.json().get("error", {}) if response.content else {}
                print(f"error {response.status_code}: {error.get('message', response.text)}")
                continue
            data = response.json()
            everything = data["messages"]
            data["messages"] = seen.fresh(everything)
            show(data["messages"])
            # numbers refer to the buttons of this answer, even if the poller printed it first
            with_buttons = [m for m in everything if m["buttons"]]
            new = [b["payload"] for b in with_buttons[-1]["buttons"]] if with_buttons else []
            if any(m["from"] != "agent" for m in everything):
                payloads = new  # numbers refer to the newest bot message's buttons
            if data["messages"]:
                last_id = max(last_id, max(int(m["id"]) for m in data["messages"]))
            state = data["state"]
            if state["mode"] == "waiting_for_agent" and state.get("queue_position"):
                print(
                    f"   (queue position {state['queue_position']}, about "
                    f"{round((state.get('estimated_wait_s') or 0) / 60)} min)"
                )


POLL_S = 3.0


class _Seen:
    """Message ids already printed, shared by the prompt loop and the idle poller."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: set[str] = set()
        self.last_id = 0

    def fresh(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self.lock:
            new = [m for m in messages if str(m["id"]) not in self.ids]
            self.ids.update(str(m["id"]) for m in new)
            for m in new:
                self.last_id = max(self.last_id, int(m["id"]))
            return new


def _poll(
    base_url: str, headers: dict[str, str], url: str, seen: _Seen, stop: threading.Event
) -> None:
    """While the citizen is idle, fetch messages that were not a reply (agent replies)."""
    with httpx.Client(timeout=10.0, headers=headers) as client:
        while not stop.wait(POLL_S):
            try:
                response = client.get(url, params={"after": seen.last_id})
            except httpx.HTTPError:
                continue
            if response.status_code != 200:
                continue
            new = seen.fresh(response.json()["messages"])
            if new:
                print()
                show(new)
                print(PROMPT, end="", flush=True)
