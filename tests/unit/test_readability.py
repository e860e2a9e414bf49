from bot.simple_mode.readability import flesch, longest_zh_sentence, syllables, too_complex


def test_syllables() -> None:
    words = ("cat", "table", "make", "passport", "application")
    assert [syllables(w) for w in words] == [1, 2, 1, 2, 4]


def test_flesch_orders_plain_above_official() -> None:
    plain = "Bring your ID card. Go to the desk. It is free."
    official = (
        "Applicants must submit comprehensive documentation substantiating eligibility "
        "in accordance with applicable administrative regulations."
    )
    assert flesch(plain) > 90 > 30 > flesch(official)
    assert too_complex(plain, "en") is None
    assert "Flesch" in (too_complex(official, "en") or "")


def test_chinese_sentence_length() -> None:
    assert longest_zh_sentence("带上身份证。去一楼窗口。") == 5
    assert too_complex("带上身份证。去一楼窗口。", "zh") is None
    long = (
        "申请人应当携带本人有效居民身份证原件及复印件"
        "以及相关证明材料前往所在街道政务服务中心综合受理窗口办理"
    )
    assert too_complex(long, "zh")
