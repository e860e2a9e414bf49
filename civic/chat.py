"""`civic chat`: a terminal chat against the running gateway; buttons are numbered choices."""

from __future__ import annotations

import sys
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
                print(f"   {number}. {button['title']}", file=out)
    return payloads


def chat(base_url: str, api_key: str, conversation: str | None, lang: str | None) -> int:
    conversation = conversation or f"terminal-{uuid.uuid4().hex[:12]}"
    url = f"{base_url}/api/v1/conversations/{conversation}/messages"
    headers = {"Authorization": f"Bearer {api_key}"}
    payloads: list[str] = []
    last_id = 0
    print(f"Chatting as {conversation}. Type a number to choose a button; Ctrl-D to quit.")
    with httpx.Client(timeout=60.0, headers=headers) as client:
        while True:
            try:
                line = input(PROMPT)
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
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
            new = show(data["messages"])
            if any(m["from"] != "agent" for m in data["messages"]):
                payloads = new  # numbers refer to the newest bot message's buttons
            if data["messages"]:
                last_id = max(last_id, max(int(m["id"]) for m in data["messages"]))
            state = data["state"]
            if state["mode"] == "waiting_for_agent" and state.get("queue_position"):
                print(
                    f"   (queue position {state['queue_position']}, about "
                    f"{round((state.get('estimated_wait_s') or 0) / 60)} min)"
                )
