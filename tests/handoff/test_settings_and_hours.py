from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import ConfigError
from bot.handoff.office_hours import OfficeHours
from bot.handoff.settings import HandoffSettings


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 2026-11-02 is a Monday


def test_schedule_holidays_and_business_seconds() -> None:
    hours = OfficeHours.parse("mon-fri 09:00-17:00; sat 09:00-12:00", "2026-11-03", "UTC")
    assert hours.is_open(at(2, 9)) and not hours.is_open(at(2, 17))
    assert not hours.is_open(at(3, 10))  # a holiday
    assert hours.is_open(at(7, 11, 59)) and not hours.is_open(at(8, 10))
    assert hours.next_opening(at(2, 18)) == at(4, 9)  # skips the holiday
    assert hours.business_seconds(at(2, 16), at(4, 10)) == 3600 + 3600
    assert OfficeHours.parse("").is_open(at(8, 3))


def test_schedule_in_the_office_time_zone() -> None:
    hours = OfficeHours.parse("mon-fri 09:00-17:00", zone="Asia/Shanghai")
    assert hours.is_open(at(2, 1)) and not hours.is_open(at(2, 9))  # 09:00 UTC = 17:00 +08


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CIVIC_OFFICE_HOURS", "weekdays 9-5"),
        ("CIVIC_OFFICE_HOURS", "mon 17:00-09:00"),
        ("CIVIC_HOLIDAYS", "25/12/2026"),
        ("CIVIC_OFFICE_TZ", "Mars/Olympus"),
        ("CIVIC_HANDOFF_ROUTES", "passport"),
        ("CIVIC_MAX_WAIT_S", "soon"),
        ("CIVIC_SLA_PICKUP_SIMPLE_S", "-5"),
        ("CIVIC_CONSOLE_KB", "gpu"),
    ],
)
def test_malformed_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        HandoffSettings.from_env({name: value})


def test_settings_from_env() -> None:
    settings = HandoffSettings.from_env(
        {
            "CIVIC_HANDOFF_ROUTES": "topic:passport*=documents, lang:zh=zh-desk",
            "CIVIC_SLA_PICKUP_SIMPLE_S": "60",
            "CIVIC_ABANDON_AFTER_S": "900",
        }
    )
    assert settings.team_for("passport_renewal", "en") == "documents"
    assert settings.team_for(None, "zh") == "zh-desk"
    assert settings.team_for("library", "en") == "general"
    assert (settings.sla_target_s(1), settings.sla_target_s(0)) == (60, 300)
    assert settings.abandon_after_s == 900
