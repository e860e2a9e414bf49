"""The words the assistant understands itself, without the NLU: cancel, a person, start over.

One vocabulary for every place that reacts to them, so that a word means the same thing
wherever the citizen is: in the handoff queue and its dialogue
(bot/conversation/handoff_turns.py, bot/handoff/dialogue.py) and in a form
(actions/forms/reading.py). A plain library: it imports nothing of ours, so both the gateway
and the action server may use it.

A message matches when it is only the word (with "please" around it, a short object such as
"it" / "the form" / "waiting", and closing punctuation); a sentence that merely contains the
word ("how do I cancel my booking?") is a question for the NLU, not a command.
"""

from __future__ import annotations

import re

# what the buttons send
CANCEL_PAYLOAD = "/cancel"
PERSON_PAYLOAD = "/request_human"
RESTART_PAYLOAD = "/start_over"

_END = r"\s*[.!。！]*\s*$"
_CANCEL = re.compile(
    r"^\s*(please\s+)?(cancel|stop|quit|exit|abort|never ?mind|forget it|i give up"
    r"|stop waiting|don'?t wait)"
    r"(\s+(it|this|that|waiting|the (form|application|report|booking|request|wait)|please))*"
    + _END
    + r"|^\s*(取消|不等了|不用了|不办了|算了|退出|不填了|停止|放弃|别填了|不弄了|终止)"
    r"(申请|办理|填写|等待|排队|吧|了)*" + _END,
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"^\s*(please\s+)?(0|human|person|agent|operator|real person|a person"
    r"|talk to (a )?(real )?(person|human|someone|an agent))(\s+please)?"
    + _END
    + r"|^\s*(人工|转人工|人工服务|人工客服|真人|找人工)(吧)?"
    + _END,
    re.IGNORECASE,
)
_RESTART = re.compile(
    r"^\s*(please\s+)?(restart|start over|start again|begin again|start fresh|reset)"
    r"(\s+(the (chat|conversation)|please))*"
    + _END
    + r"|^\s*(重新开始|从头开始|重来|从头来|重新来|重头再来)(对话|吧)*"
    + _END,
    re.IGNORECASE,
)


def is_cancel(text: str) -> bool:
    """Stop what is running: the wait in the queue, a handoff dialogue, a form."""
    return text == CANCEL_PAYLOAD or bool(_CANCEL.match(text))


def wants_person(text: str) -> bool:
    """The citizen asks for a person ('0' is the person choice in simplified mode)."""
    return text == PERSON_PAYLOAD or bool(_PERSON.match(text))


def is_restart(text: str) -> bool:
    """Start the conversation over."""
    return text == RESTART_PAYLOAD or bool(_RESTART.match(text))
