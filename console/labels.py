"""What the console shows for a transcript line: button presses in words instead of their raw
payloads (`/request_human` -> "asked for a person"), and which of the citizen's lines was their
last real question (not a button, a number, a yes, or a request for a person)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Protocol

# Payloads the bot's buttons and the channels send, in words for the agent.
PAYLOADS = {
    "request_human": "asked for a person",
    "human": "asked for a person",
    "cancel": "stopped waiting",
    "keep_waiting": "chose to keep waiting",
    "leave_message": "chose to leave a message",
    "book_callback": "chose to book a callback",
    "simple_mode_on": "turned simplified mode on",
    "simple_mode_off": "turned simplified mode off",
    "switch_language": "switched language",
    "more": "asked for more",
    "more_choices": "asked for the other choices",
    "answer_yes": "answered yes",
    "answer_no": "answered no",
    "greet": "said hello",
    "help": "asked what the assistant can do",
    "start": "started the chat",
    "link": "linked another channel",
    "rate": "gave a rating",
}
_PAYLOAD = re.compile(r"^/([a-z_]+)(\{.*\})?\s*$", re.DOTALL)

# Asking for a person, in a few words: not a question the guides could answer.
_PERSON = re.compile(
    r"^\s*(please\s+)?((i\s+)?(want|need|would like)\s+(to\s+)?|can\s+i\s+|let\s+me\s+)?"
    r"((talk|speak|chat)\s+(to|with)\s+)?(a\s+|an\s+|the\s+|some\s*)?"
    r"(human|person|people|agent|staff|operator|someone|somebody|real\s+person|one)"
    r"(\s+please)?\s*[.!?]*\s*$"
    r"|^\s*(我要|我想|请|帮我)?(转|找|联系)?(人工|真人|客服|工作人员)(服务|客服)?(吧|谢谢)?\s*[。！!?？]*\s*$",
    re.IGNORECASE,
)
_SHORT_REPLY = re.compile(
    r"^\s*(\d{1,2}|yes|no|ok|okay|thanks|thank you|cancel|repeat|more|hi|hello"
    r"|是|否|对|不对|好|好的|谢谢|取消|重复|更多|你好|您好)\s*[.!。！]*\s*$",
    re.IGNORECASE,
)


class TranscriptLine(Protocol):
    @property
    def sender(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def ticket_id(self) -> int | None: ...


def label(sender: str, text: str) -> str | None:
    """A readable label for a line that is a button's payload, else None (shown as typed)."""
    if sender != "citizen":
        return None
    match = _PAYLOAD.match(text)
    if not match:
        return None
    intent, entities = match.group(1), match.group(2)
    if intent == "ask_question" and entities:
        try:
            guide = json.loads(entities).get("guide")
        except ValueError:
            guide = None
        return f"chose the guide “{guide}”" if guide else "chose a guide"
    return PAYLOADS.get(intent, "pressed “" + intent.replace("_", " ") + "”")


def is_real_question(text: str) -> bool:
    """A question the knowledge base can work with: typed words, not a button or a shortcut."""
    return not (
        _PAYLOAD.match(text) or _PERSON.match(text) or _SHORT_REPLY.match(text) or not text.strip()
    )


def last_question(lines: Sequence[TranscriptLine]) -> str | None:
    """The citizen's last real question, preferring those before the handoff (lines from the
    handoff on carry its ticket id)."""
    said = [line for line in lines if line.sender == "citizen" and is_real_question(line.text)]
    before = [line for line in said if line.ticket_id is None]
    chosen = before or said
    return chosen[-1].text if chosen else None
