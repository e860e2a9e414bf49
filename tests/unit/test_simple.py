import pytest

from bot.conversation.shortcuts import choose, is_more, is_repeat
from bot.messages import Button, OutgoingMessage
from bot.simple_mode.plain_language import jargon_in, plain
from bot.simple_mode.rules import MAX_EN_WORDS, MAX_ZH_CHARS, body_of, chunks, simplify, size

LONG_EN = " ".join(
    f"Sentence number {i} tells you one more thing about the passport office." for i in range(30)
)
LONG_ZH = "".join(f"第{i}句话告诉您办理护照的一件事情。" for i in range(40))


def test_short_reply_gets_numbered_choices_and_the_person_option() -> None:
    turn = simplify(
        [
            OutgoingMessage(
                "Is that right?", buttons=(Button("Yes", "/affirm"), Button("No", "/deny"))
            )
        ],
        "en",
    )
    [message] = turn.messages
    assert message.text == "Is that right?\n\n1 Yes\n2 No\n0 Talk to a person"
    assert [b.title for b in message.buttons] == ["1 Yes", "2 No", "0 Talk to a person"]
    assert turn.choices == ("/affirm", "/deny")


def test_at_most_four_choices_and_no_duplicate_person_option() -> None:
    buttons = (
        *(Button(f"Option {i}", f"/o{i}") for i in range(6)),
        Button("Talk to a person", "/request_human"),
    )
    turn = simplify([OutgoingMessage("Pick one", buttons=buttons)], "en")
    titles = [b.title for b in turn.messages[0].buttons]
    assert titles == [
        "1 Option 0", "2 Option 1", "3 Option 2", "4 Other choices", "0 Talk to a person"
    ]  # fmt: skip
    assert turn.choices == ("/o0", "/o1", "/o2", "/more_choices")
    assert [b.payload for b in turn.more_choices] == ["/o3", "/o4", "/o5"]


@pytest.mark.parametrize(
    ("text", "lang", "cap"), [(LONG_EN, "en", MAX_EN_WORDS), (LONG_ZH, "zh", MAX_ZH_CHARS)]
)
def test_long_answers_are_cut_into_at_most_three_short_messages(
    text: str, lang: str, cap: int
) -> None:
    turn = simplify([OutgoingMessage(text)], lang)
    assert 1 <= len(turn.messages) <= 3
    for message in turn.messages:
        assert size(body_of(message.text), lang) <= cap
    assert turn.more, "the rest waits behind 'more'"
    assert turn.choices == ("/more",)
    assert turn.messages[-1].buttons[-1].payload == "/request_human"


def test_chunks_keep_sentences_whole() -> None:
    pieces = chunks("One short sentence. Another short one.", "en")
    assert pieces == ["One short sentence. Another short one."]


def test_plain_language_replaces_jargon() -> None:
    assert plain("Submit the documentation for reimbursement.", "en") == (
        "Hand in the papers for money back."
    )
    assert jargon_in("请携带户籍材料到窗口受理", "zh") == ["受理", "户籍"]


@pytest.mark.parametrize(
    ("text", "choices", "simple", "expected"),
    [
        ("1", ("/affirm", "/deny"), False, "/affirm"),
        ("2", ("/affirm", "/deny"), True, "/deny"),
        ("3", ("/affirm", "/deny"), True, "3"),
        ("0", (), True, "/request_human"),
        ("0", (), False, "0"),
        ("12 May", ("/affirm",), True, "12 May"),
    ],
)
def test_numbers_choose(text: str, choices: tuple[str, ...], simple: bool, expected: str) -> None:
    assert choose(text, choices, simple) == expected


def test_repeat_and_more_words() -> None:
    assert is_repeat("Repeat") and is_repeat("再说一遍") and is_repeat("重复。")
    assert not is_repeat("repeat my application")
    assert is_more("more") and is_more("更多") and is_more("/more")


def test_a_title_line_stays_on_its_own_line() -> None:
    assert chunks("湖滨市图书馆读者证\n办借书证不要钱。带身份证就行。", "zh") == [
        "湖滨市图书馆读者证\n办借书证不要钱。带身份证就行。"
    ]
    assert chunks("Library card\nIt is free. Bring your ID.", "en") == [
        "Library card\nIt is free. Bring your ID."
    ]


def test_a_source_and_its_address_stay_in_one_message() -> None:
    """ "Source:" used to end one message and its address start the next."""
    words = " ".join(["word"] * 45)
    address = "https://services.lakeside.example/guides/passport (reviewed on 2026-08-20)"
    text = f"{words}. Go there.\nSource: {address}"
    pieces = chunks(text, "en")
    assert any(f"Source: {address}" in piece for piece in pieces), pieces
    assert chunks("Bring these: your card. Your photo.", "en") == [
        "Bring these: your card. Your photo."
    ]


@pytest.mark.parametrize(
    ("text", "lang", "cap"), [(LONG_EN, "en", MAX_EN_WORDS), (LONG_ZH, "zh", MAX_ZH_CHARS)]
)
def test_every_message_fits_with_its_numbered_choices(text: str, lang: str, cap: int) -> None:
    buttons = tuple(Button(f"Choice with a longer title {i}", f"/c{i}") for i in range(3))
    for length in (10, 40, 48, 60, 120, len(text)):
        shown = " ".join(text.split()[:length]) if lang == "en" else text[:length]
        turn = simplify([OutgoingMessage(shown, buttons=buttons)], lang)
        assert 1 <= len(turn.messages) <= 3
        for message in turn.messages:
            assert size(message.text, lang) <= cap, message.text


def test_a_summary_that_only_fits_without_its_choices_is_split() -> None:
    """A 45-word answer and three choices used to be one 53-word message."""
    words = " ".join(["word"] * 44) + "."
    turn = simplify(
        [OutgoingMessage(words, buttons=(Button("Start now", "/s"), Button("Full guide", "/f")))],
        "en",
    )
    assert all(size(m.text, "en") <= MAX_EN_WORDS for m in turn.messages)
    assert turn.choices == ("/s", "/f") and not turn.more
