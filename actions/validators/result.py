"""What a validator gets and gives back: pure values, no Rasa, no I/O."""

from __future__ import annotations

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
