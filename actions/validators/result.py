"""What a validator gets and gives back: pure values, no Rasa, no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Context:
    """Everything a validator may look at besides the text itself."""

    today: date
    answers: Mapping[str, Any] = field(default_factory=dict)  # field name -> accepted value
    metadata: Mapping[str, Any] = field(default_factory=dict)  # the message's metadata


@dataclass(frozen=True)
class Valid:
    value: Any  # JSON-serialisable, stored in the slot


@dataclass(frozen=True)
class Invalid:
    reason: str  # a key of actions.validators.reasons.REASONS
    details: Mapping[str, Any] = field(default_factory=dict)


Result = Valid | Invalid
Params = Mapping[str, Any]
Validator = Callable[[str, Params, Context], Result]
# Looks for a value inside a longer message (pre-filling from the first message).
Extractor = Callable[[str, Params, Context], Valid | None]


_WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]{2,}")


def number_in(text: str, run: str, min_digits: int) -> str:
    """The one number inside a sentence ('my number is 139 1234 5678', '身份证是1101...'),
    else the text as it is (a bare answer is validated whole, with its exact reason)."""
    if not _WORDS.search(text):
        return text
    runs = [r for r in re.findall(run, text) if sum(c.isdigit() for c in r) >= min_digits]
    return runs[0] if len(runs) == 1 else text
