"""What the console shows for a transcript line: button presses in words instead of their raw
payloads (`/request_human` -> "asked for a person"), and which of the citizen's lines was their
last real question (not a button, a number, a yes, or a request for a person).

The words come in English (`label`) and as a key of the console's catalogues with its values
(`wording`: `payload.<key>` in console/i18n/{en,zh}.json), so the console says them in the
agent's language."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel

from bot.masking import mask_text

# Payloads the bot's buttons and the channels send, in words for the agent (the English of
# the catalogues' `payload.<key>`; the key is the payload's intent).
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
# Every label in English, with the placeholders the catalogues use.
ENGLISH = {
    **PAYLOADS,
    "guide": "chose the guide “{guide}”",
    "guide_any": "chose a guide",
    "pressed": "pressed “{button}”",
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


class Wording(BaseModel):
    """Words the console's catalogues hold: `key` and the values put into its placeholders."""

    key: str
    values: dict[str, str | int] = {}


def wording(sender: str, text: str) -> Wording | None:
    """A line that is a button's payload in words (`payload.<key>`), else None (as typed)."""
    if sender != "citizen":
        return None
    match = _PAYLOAD.match(text)
    if not match:
        return None
    intent, entities = match.group(1), match.group(2)
    if intent == "ask_question" and entities:
        try:
            found = json.loads(entities)
            guide = found.get("guide") if isinstance(found, dict) else None
        except ValueError:
            guide = None
        return Wording(key="payload.guide", values={"guide": str(guide)}) if guide else (
            Wording(key="payload.guide_any")
        )  # fmt: skip
    if intent in PAYLOADS:
        return Wording(key="payload." + intent)
    return Wording(key="payload.pressed", values={"button": intent.replace("_", " ")})


def label(sender: str, text: str) -> str | None:
    """A readable label (in English) for a line that is a button's payload, else None."""
    said = wording(sender, text)
    if said is None:
        return None
    english = ENGLISH[said.key.removeprefix("payload.")]
    for name, value in said.values.items():
        english = english.replace("{" + name + "}", str(value))
    return english


def card_text(text: str | None) -> str | None:
    """A citizen's message as a queue card shows it: a button press in words, personal data
    masked, at most 160 characters."""
    if text is None:
        return None
    shown = label("citizen", text) or mask_text(" ".join(text.split()))
    return shown if len(shown) <= 160 else shown[:159] + "…"


def card_wording(text: str | None) -> Wording | None:
    """The card's text as catalogue words when it is a button press (else None: as typed)."""
    return None if text is None else wording("citizen", text)


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
