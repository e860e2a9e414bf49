"""Text fields of the console's requests.

No NUL or other control characters: PostgreSQL refuses NUL in text (found by schemathesis as a
500 on login), and none belongs in a username, a reply or a note. Tabs and newlines are fine.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


PlainText = Annotated[str, AfterValidator(_no_control_characters)]
