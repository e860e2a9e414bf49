import pytest

from bot.conversation.language import detect, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I renew my passport?", "en"),
        ("身份证丢了怎么办", "zh"),
        ("我想问一下 passport 怎么办", "zh"),
        ("查询 RC-2026-000123", "zh"),
        ("ok", None),
        ("1", None),
        ("👍👍", None),
        ("RC-2026-000123", None),
        ("好", "zh"),
        ("I live in 湖滨市 and need help", "en"),
    ],
)
def test_detect(text: str, expected: str | None) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("zh-CN", "zh"), ("EN", "en"), ("en_GB", "en"), ("fr", None), ("", None), (None, None)],
)
def test_normalise(tag: str | None, expected: str | None) -> None:
    assert normalise(tag) == expected
