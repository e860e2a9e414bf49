"""Pure pieces behind the conversation fixes: follow-up questions, plain words for how
citizens say things, other languages, the part of the day."""

from __future__ import annotations

import pytest

from actions.follow_up import follow_up_aspect
from actions.phrasing import plain_words, without_hearsay
from actions.validators.choices import only_part_of_day, part_of_day
from bot.conversation.language import other_language


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("要多少钱", "fees"),
        ("how much does it cost?", "fees"),
        ("is it free?", "fees"),
        ("那要带什么材料？", "documents"),
        ("what documents do I need", "documents"),
        ("how long does it take", "time"),
        ("办好要多久", "time"),
        ("多久能拿到", "time"),  # 拿到 names no subject: it is the getting
        ("多久可以领", "time"),
        ("where do i go", "where"),
        ("在哪里办", "where"),
        ("can i apply", "who"),
        ("护照要多少钱", None),  # its own subject: searched as a new question
        ("how much is a passport", None),
        ("passport fee", None),
        ("我老伴走了，要办什么手续", None),
    ],
)
def test_a_follow_up_asks_about_one_aspect_without_a_subject(
    text: str, aspect: str | None
) -> None:
    assert follow_up_aspect(text) == aspect


def test_euphemisms_and_hearsay() -> None:
    assert plain_words("我老伴走了，要办什么手续") == "我老伴去世了，要办什么手续"
    assert plain_words("my husband passed away") == "my husband died"
    assert plain_words("我走了") == "我走了"  # nobody named: not a death
    assert (
        without_hearsay("how do i get my pension money my son said i need a card")
        == "how do i get my pension money"
    )
    assert without_hearsay("养老金怎么领，儿子说要办一张卡") == "养老金怎么领"


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("パスポートを更新したいです", True),
        ("住民票の写しが欲しい", True),
        ("أريد تجديد جواز السفر", True),
        ("여권을 갱신하고 싶어요", True),
        ("Здравствуйте, паспорт", True),
        ("我想renew护照", False),
        ("passport", False),
        ("护照怎么办", False),
        ("café opening hours", False),
    ],
)
def test_other_languages_are_recognised(text: str, other: bool) -> None:
    assert other_language(text) is other


def test_the_part_of_the_day() -> None:
    assert part_of_day(["我要预约明天上午"]) == "morning"
    assert part_of_day(["book for tomorrow", "afternoon please"]) == "afternoon"
    assert part_of_day(["下午3点"]) is None  # a time names the slot itself
    assert part_of_day(["book an appointment"]) is None
    assert only_part_of_day("下午") and only_part_of_day("in the afternoon")
    assert not only_part_of_day("下午3点")
