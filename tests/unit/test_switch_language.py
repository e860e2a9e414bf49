import pytest

from actions.switch_language import target_language


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("speak Chinese please", "en", "zh"),
        ("说中文", "en", "zh"),
        ("in English please", "zh", "en"),
        ("请用英文", "zh", "en"),
        ("switch language", "en", "zh"),
        ("切换语言", "zh", "en"),
    ],
)
def test_target_language(text: str, current: str, expected: str) -> None:
    assert target_language(text, current) == expected
