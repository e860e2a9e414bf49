from bot.conversation.render import escape, from_rasa
from bot.messages import Button
from bot.rasa.client import RasaResponse


def test_paragraphs_split_by_rasa_are_joined_until_buttons() -> None:
    messages = from_rasa(
        [
            RasaResponse("Passport", (), None),
            RasaResponse("Steps:\n1. Book", (), None),
            RasaResponse("Source: x", (("Talk to a person", "/request_human"),), None),
            RasaResponse("Next", (), None),
        ]
    )
    assert [m.text for m in messages] == ["Passport\n\nSteps:\n1. Book\n\nSource: x", "Next"]
    assert messages[0].buttons == (Button("Talk to a person", "/request_human"),)


def test_custom_payloads_stay_separate_and_empty_replies_are_dropped() -> None:
    messages = from_rasa(
        [
            RasaResponse("", (), None),
            RasaResponse("Hi", (), None),
            RasaResponse("", (), {"handoff": {"reason": "requested"}}),
        ]
    )
    assert [(m.text, m.custom) for m in messages] == [
        ("Hi", None),
        ("", {"handoff": {"reason": "requested"}}),
    ]


def test_escape() -> None:
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert escape('<script>alert("x")</script>') == escaped
