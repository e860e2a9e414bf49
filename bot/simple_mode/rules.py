"""Simplified mode, enforced on every bot turn.

At most three messages, each at most 50 words (English) or 80 characters (Chinese); plain
words; one question at a time; every choice numbered (at most four) and "0 = talk to a
person" always shown; what does not fit waits behind a "more" choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.messages import Button, OutgoingMessage
from bot.simple_mode.plain_language import plain
from common.vocabulary import PERSON_PAYLOAD

MAX_MESSAGES = 3
MAX_EN_WORDS = 50
MAX_ZH_CHARS = 80
MAX_CHOICES = 4
MORE_PAYLOAD = "/more"

PERSON = {"en": "Talk to a person", "zh": "转人工"}
MORE = {"en": "More", "zh": "更多"}

# a colon ends a sentence, except before an address: "Source: https://..." stays together
_SENTENCE_EN = re.compile(r"(?<=[.!?;])\s+|(?<=:)\s+(?!https?://)|\n+")
_SENTENCE_ZH = re.compile(r"(?<=[。！？；：])|\n+")
_CHOICE_LINE = re.compile(r"^\s*\d\s")


def size(text: str, lang: str) -> int:
    """Words in English, characters (without spaces) in Chinese."""
    if lang == "zh":
        return len(re.sub(r"\s", "", text))
    return len(text.split())


def limit(lang: str) -> int:
    return MAX_ZH_CHARS if lang == "zh" else MAX_EN_WORDS


def chunks(text: str, lang: str) -> list[str]:
    """Split a text into pieces within the limit, at sentence ends where possible."""
    pattern = _SENTENCE_ZH if lang == "zh" else _SENTENCE_EN
    sentences = [s.strip() for s in pattern.split(text) if s and s.strip()]
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        for part in _hard_split(sentence, lang):
            joined = f"{current}{_separator(current, lang)}{part}" if current else part
            if size(joined, lang) <= limit(lang):
                current = joined
            else:
                pieces.append(current)
                current = part
    if current:
        pieces.append(current)
    return pieces


def _separator(before: str, lang: str) -> str:
    """Within a sentence run: a space (none in Chinese); after a title or a list line: a newline."""
    if before[-1:] in ".!?:;。！？；：":
        return "" if lang == "zh" else " "
    return "\n"


def _hard_split(sentence: str, lang: str) -> list[str]:
    if size(sentence, lang) <= limit(lang):
        return [sentence]
    if lang == "zh":
        return [sentence[i : i + MAX_ZH_CHARS] for i in range(0, len(sentence), MAX_ZH_CHARS)]
    words = sentence.split()
    return [" ".join(words[i : i + MAX_EN_WORDS]) for i in range(0, len(words), MAX_EN_WORDS)]


MORE_CHOICES_PAYLOAD = "/more_choices"
MORE_CHOICES = {"en": "Other choices", "zh": "其他选项"}


@dataclass(frozen=True)
class SimpleTurn:
    messages: list[OutgoingMessage]
    choices: tuple[str, ...]  # payloads of 1, 2, 3, 4
    more: tuple[str, ...]  # text still to come behind "more"
    more_choices: tuple[Button, ...] = ()  # options beyond the fourth, behind "other choices"


def paged(buttons: tuple[Button, ...], lang: str) -> tuple[tuple[Button, ...], tuple[Button, ...]]:
    """More than four options: the first three and "other choices"; the rest wait."""
    options = tuple(b for b in buttons if b.payload != PERSON_PAYLOAD)
    if len(options) <= MAX_CHOICES:
        return options, ()
    first = options[: MAX_CHOICES - 1]
    more = Button(MORE_CHOICES.get(lang, MORE_CHOICES["en"]), MORE_CHOICES_PAYLOAD)
    return (*first, more), options[MAX_CHOICES - 1 :]


def numbered(
    buttons: tuple[Button, ...], lang: str, person: bool = True
) -> tuple[tuple[Button, ...], str]:
    """At most four numbered choices plus 0 = person; returns the buttons and the choice lines."""
    options = [b for b in buttons if b.payload != PERSON_PAYLOAD][:MAX_CHOICES]
    out = [Button(f"{i} {b.title}", b.payload) for i, b in enumerate(options, 1)]
    if person:
        out.append(Button(f"0 {PERSON.get(lang, PERSON['en'])}", PERSON_PAYLOAD))
    return tuple(out), "\n".join(b.title for b in out)


def simplify(replies: list[OutgoingMessage], lang: str, person: bool = True) -> SimpleTurn:
    """Apply the simplified-mode rules to one turn's replies."""
    pieces: list[tuple[str, tuple[Button, ...], OutgoingMessage]] = []
    for reply in replies:
        parts = chunks(plain(reply.text, lang), lang) if reply.text else [""]
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            pieces.append((part, reply.buttons if last else (), reply))
    buttons = next((b for _, b, _ in reversed(pieces) if b), ())
    more: tuple[str, ...] = ()
    if len(pieces) > MAX_MESSAGES:
        shown, rest = pieces[: MAX_MESSAGES - 1], pieces[MAX_MESSAGES - 1 :]
        more = tuple(text for text, _, _ in rest if text)
        pieces = shown
        buttons = (Button(MORE.get(lang, MORE["en"]), MORE_PAYLOAD),)
    shown_options, more_choices = paged(tuple(buttons), lang)
    choice_buttons, lines = numbered(shown_options, lang, person)
    messages = []
    for index, (text, _, source) in enumerate(pieces):
        final = index == len(pieces) - 1
        body = f"{text}\n\n{lines}".strip() if final else text
        messages.append(
            OutgoingMessage(
                text=body,
                sender=source.sender,
                buttons=choice_buttons if final else (),
                custom=source.custom,
            )
        )
    payloads = tuple(b.payload for b in choice_buttons if b.payload != PERSON_PAYLOAD)
    return SimpleTurn(messages, payloads, more, more_choices)


def body_of(text: str) -> str:
    """A simplified message without its numbered choice lines (for checks)."""
    return "\n".join(line for line in text.splitlines() if not _CHOICE_LINE.match(line)).strip()
