"""Simplified mode, enforced on every bot turn.

At most three messages, each at most 50 words (English) or 80 characters (Chinese) with its
numbered choices included; plain words; one question at a time; every choice numbered (at most
four) and "0 = talk to a person" always shown; what does not fit waits behind a "more" choice.
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


def chunks(text: str, lang: str, cap: int | None = None) -> list[str]:
    """Split a text into pieces within the limit (or `cap`), at sentence ends where possible."""
    cap = limit(lang) if cap is None else max(1, cap)
    pattern = _SENTENCE_ZH if lang == "zh" else _SENTENCE_EN
    sentences = [s.strip() for s in pattern.split(text) if s and s.strip()]
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        for part in _hard_split(sentence, lang, cap):
            joined = f"{current}{_separator(current, lang)}{part}" if current else part
            if size(joined, lang) <= cap:
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


def _hard_split(sentence: str, lang: str, cap: int) -> list[str]:
    if size(sentence, lang) <= cap:
        return [sentence]
    if lang == "zh":
        return [sentence[i : i + cap] for i in range(0, len(sentence), cap)]
    words = sentence.split()
    return [" ".join(words[i : i + cap]) for i in range(0, len(words), cap)]


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


_Piece = tuple[str, OutgoingMessage]  # a message's text and the reply it comes from


def _choices(
    buttons: tuple[Button, ...], lang: str, person: bool
) -> tuple[tuple[Button, ...], str, tuple[Button, ...]]:
    """The numbered buttons, their lines and the options waiting behind "other choices"."""
    shown_options, more_choices = paged(buttons, lang)
    choice_buttons, lines = numbered(shown_options, lang, person)
    return choice_buttons, lines, more_choices


def _last_fits(pieces: list[_Piece], lines: str, lang: str) -> list[_Piece]:
    """The pieces, the last one cut so that it fits with the choice lines under it."""
    text, source = pieces[-1]
    budget = limit(lang) - size(lines, lang)
    if size(text, lang) <= budget:
        return pieces
    return [*pieces[:-1], *((part, source) for part in chunks(text, lang, budget))]


def simplify(replies: list[OutgoingMessage], lang: str, person: bool = True) -> SimpleTurn:
    """Apply the simplified-mode rules to one turn's replies."""
    pieces: list[_Piece] = [
        (part, reply)
        for reply in replies
        for part in (chunks(plain(reply.text, lang), lang) if reply.text else [""])
    ]
    if not pieces:
        return SimpleTurn([], (), ())
    buttons = next((r.buttons for r in reversed(replies) if r.buttons), ())
    choice_buttons, lines, more_choices = _choices(tuple(buttons), lang, person)
    more: tuple[str, ...] = ()
    fitted = _last_fits(pieces, lines, lang)
    if len(fitted) <= MAX_MESSAGES:
        pieces = fitted
    else:  # the rest waits behind "more", which is then the only choice
        buttons = (Button(MORE.get(lang, MORE["en"]), MORE_PAYLOAD),)
        choice_buttons, lines, more_choices = _choices(buttons, lang, person)
        shown = _last_fits(pieces[: MAX_MESSAGES - 1], lines, lang)
        rest = shown[MAX_MESSAGES - 1 :] + pieces[MAX_MESSAGES - 1 :]
        pieces = shown[: MAX_MESSAGES - 1]
        more = tuple(text for text, _ in rest if text)
    messages = []
    for index, (text, source) in enumerate(pieces):
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
