"""Personal data never reaches the logs unmasked."""

from __future__ import annotations

import logging

import pytest

from bot.masking import MaskingFilter, mask_text, mask_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id 110105194403120014 ok", "id 110***********0014 ok"),
        ("ID 33010619900101003X.", "ID 330***********003X."),
        ("call 13812345678", "call 138****5678"),
        ("call 138 1234 5678", "call 138****5678"),
        ("call +86 138-1234-5678", "call 138****5678"),
        ("office 0571-88001234", "office 0571-****1234"),
        ("case RC-2026-000123 at 2026-11-29", "case RC-2026-000123 at 2026-11-29"),
    ],
)
def test_mask_text(text: str, expected: str) -> None:
    assert mask_text(text) == expected


def test_nested_answers_are_masked() -> None:
    masked = mask_value({"phone": "13812345678", "ids": ["110105194403120014"], "n": 3})
    assert masked == {"phone": "138****5678", "ids": ["110***********0014"], "n": 3}


def test_the_logging_filter_masks_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.masking")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="test.masking"):
        logger.info("answers=%s", {"phone": "13812345678", "id": "110105194403120014"})
    assert "13812345678" not in caplog.text and "110105194403120014" not in caplog.text
    assert "138****5678" in caplog.text
