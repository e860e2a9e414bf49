import pytest

from bot.conversation.inbound import clean
from bot.errors import InvalidMessage


def test_strips_control_characters_keeps_text() -> None:
    assert clean("  hello\x00 wor\x07ld \n", 4000) == "hello world"


def test_keeps_emoji_rtl_and_newlines() -> None:
    assert clean("مرحبا 👋\nline two", 4000) == "مرحبا 👋\nline two"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "\u200b\u200b", "\ufeff \u200d"])
def test_empty_or_invisible_is_rejected(text: str) -> None:
    with pytest.raises(InvalidMessage) as error:
        clean(text, 4000)
    assert error.value.status == 422


def test_oversized_is_413() -> None:
    with pytest.raises(InvalidMessage) as error:
        clean("a" * 4001, 4000)
    assert error.value.status == 413
    assert clean("a" * 4000, 4000) == "a" * 4000
