"""Today's date where the citizens live (relative dates like 'tomorrow' depend on it): the
time zone is the action server's setting (CIVIC_TIMEZONE, checked at start)."""

from __future__ import annotations

from datetime import date, datetime

from actions.settings import current


def today() -> date:
    return datetime.now(current().timezone).date()
