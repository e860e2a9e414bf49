import pytest

from bot.errors import ConfigError
from bot.settings import Settings

GOOD = {
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CIVIC_API_KEYS": "0123456789abcdef0123,another-key-0123456789",
    "CIVIC_SERVICE_TOKEN": "service-token-0123456789",
}


def test_reads_a_good_environment() -> None:
    settings = Settings.from_env(GOOD)
    assert settings.api_keys == {"0123456789abcdef0123", "another-key-0123456789"}
    assert settings.gateway_port == 8000
    assert settings.database_url.startswith("sqlite:///")
    assert settings.rasa_url == "http://127.0.0.1:5005"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"CIVIC_API_KEYS": ""}, "CIVIC_API_KEYS"),
        ({"CIVIC_API_KEYS": "short"}, "CIVIC_API_KEYS"),
        ({"CIVIC_PORT": "eighty"}, "CIVIC_PORT"),
        ({"CIVIC_PORT": "70000"}, "CIVIC_PORT"),
        ({"RASA_TIMEOUT_S": "-1"}, "RASA_TIMEOUT_S"),
        ({"RASA_URL": "ftp://rasa"}, "RASA_URL"),
        ({"CIVIC_DEFAULT_LANG": "fr"}, "CIVIC_DEFAULT_LANG"),
        ({"CIVIC_SERVICE_TOKEN": ""}, "CIVIC_SERVICE_TOKEN"),
        ({"DATABASE_URL": "civic.db"}, "DATABASE_URL"),
    ],
)
def test_a_bad_value_fails_naming_the_variable(change: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env({**GOOD, **change})
