"""Office hours: a weekly schedule plus holidays, in the office's time zone.

`CIVIC_OFFICE_HOURS` looks like ``mon-fri 09:00-17:00; sat 09:00-12:00`` (empty: always
open); `CIVIC_HOLIDAYS` is a comma-separated list of dates (``2026-12-25,2027-01-01``);
`CIVIC_OFFICE_TZ` names the zone the schedule is written in (default UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RULE = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})$"
)


def _clock_time(raw: str, variable: str) -> time:
    hours, minutes = (int(x) for x in raw.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ConfigError(f"{variable}: {raw!r} is not a time of day")
    return time(hours, minutes)


@dataclass(frozen=True)
class OfficeHours:
    """When people answer. `always_open` when no schedule was configured."""

    weekly: tuple[tuple[tuple[time, time], ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    zone: tzinfo = UTC
    always_open: bool = True

    @classmethod
    def parse(cls, schedule: str, holidays: str = "", zone: str = "UTC") -> OfficeHours:
        try:
            tz: tzinfo = ZoneInfo(zone.strip() or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"CIVIC_OFFICE_TZ: unknown time zone {zone!r}") from None
        days: list[list[tuple[time, time]]] = [[] for _ in DAYS]
        for part in filter(None, (p.strip().lower() for p in schedule.split(";"))):
            match = _RULE.match(part)
            if not match or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
                raise ConfigError(
                    f"CIVIC_OFFICE_HOURS: cannot read {part!r} "
                    "(expected e.g. 'mon-fri 09:00-17:00; sat 09:00-12:00')"
                )
            first = DAYS.index(match["first"])
            last = DAYS.index(match["last"]) if match["last"] else first
            opens = _clock_time(match["open"], "CIVIC_OFFICE_HOURS")
            closes = _clock_time(match["close"], "CIVIC_OFFICE_HOURS")
            if closes <= opens:
                raise ConfigError(f"CIVIC_OFFICE_HOURS: {part!r} closes before it opens")
            for day in (
                range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            ):
                days[day].append((opens, closes))
        off: set[date] = set()
        for raw in filter(None, (h.strip() for h in holidays.split(","))):
            try:
                off.add(date.fromisoformat(raw))
            except ValueError:
                raise ConfigError(f"CIVIC_HOLIDAYS: {raw!r} is not a date (YYYY-MM-DD)") from None
        weekly = tuple(tuple(sorted(d)) for d in days)
        return cls(weekly, frozenset(off), tz, always_open=not any(weekly))

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """Open intervals of one local calendar day, as UTC datetimes."""
        if day in self.holidays:
            return []
        out = []
        for opens, closes in self.weekly[day.weekday()]:
            start = datetime.combine(day, opens, self.zone)
            end = (
                datetime.combine(day + timedelta(days=1), time(0), self.zone)
                if closes == time.max
                else datetime.combine(day, closes, self.zone)
            )
            out.append((start.astimezone(UTC), end.astimezone(UTC)))
        return out

    def is_open(self, at: datetime) -> bool:
        if self.always_open:
            return True
        day = at.astimezone(self.zone).date()
        return any(start <= at < end for start, end in self._intervals(day))

    def next_opening(self, at: datetime) -> datetime | None:
        """The next time the office opens after `at` (None if always open or never opens)."""
        if self.always_open:
            return None
        day = at.astimezone(self.zone).date()
        for offset in range(0, 400):
            for start, _ in self._intervals(day + timedelta(days=offset)):
                if start > at:
                    return start
        return None

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds between start and end that fall within office hours."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        total = 0.0
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        last = end.astimezone(self.zone).date() + timedelta(days=1)
        while day <= last:
            for opens, closes in self._intervals(day):
                overlap = (min(end, closes) - max(start, opens)).total_seconds()
                total += max(0.0, overlap)
            day += timedelta(days=1)
        return total
