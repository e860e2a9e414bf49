"""Turns Rasa's replies and the gateway's own texts into outgoing messages."""

from __future__ import annotations

import html
from collections.abc import Iterable

from bot.messages import Button, OutgoingMessage
from bot.rasa.client import RasaResponse
from bot.texts import text
from common.vocabulary import PERSON_PAYLOAD as HANDOFF_PAYLOAD

__all__ = ["HANDOFF_PAYLOAD"]


def from_rasa(responses: Iterable[RasaResponse]) -> list[OutgoingMessage]:
    """Rasa's replies as messages.

    Rasa splits every text at blank lines into separate replies; paragraphs of one answer are
    joined again, so that an answer arrives as one message (a message with buttons or a
    custom payload ends a group).
    """
    messages: list[OutgoingMessage] = []
    for response in responses:
        custom = response.custom
        if not response.text and not response.buttons and not custom:
            continue
        previous = messages[-1] if messages else None
        if previous is not None and not previous.buttons and not previous.custom and not custom:
            messages[-1] = OutgoingMessage(
                text=f"{previous.text}\n\n{response.text}".strip(),
                sender="bot",
                buttons=tuple(Button(title, payload) for title, payload in response.buttons),
            )
            continue
        messages.append(
            OutgoingMessage(
                text=response.text,
                sender="bot",
                buttons=tuple(Button(title, payload) for title, payload in response.buttons),
                custom=custom,
            )
        )
    return messages


def person_button(lang: str) -> Button:
    return Button(text("talk_to_person", lang), HANDOFF_PAYLOAD)


def system(
    key: str, lang: str, buttons: tuple[Button, ...] = (), **values: object
) -> OutgoingMessage:
    return OutgoingMessage(text=text(key, lang, **values), sender="system", buttons=buttons)


def escape(citizen_text: str) -> str:
    """HTML-escape text a citizen typed before it is shown in any web page."""
    return html.escape(citizen_text, quote=True)
