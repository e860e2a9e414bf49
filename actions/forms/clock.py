"""Today's date where the citizens live (relative dates like 'tomorrow' depend on it)."""

from __future__ import annotations

import functools
import os
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class TimezoneError(Exception):
    """CIVIC_TIMEZONE names no known time zone."""


@functools.cache
def city_timezone() -> ZoneInfo:
    name = os.environ.get("CIVIC_TIMEZONE") or "Asia/Shanghai"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimezoneError(
            f"CIVIC_TIMEZONE must be a time zone like Asia/Shanghai, got {name!r}"
        ) from exc


def today() -> date:
    return datetime.now(city_timezone()).date()
