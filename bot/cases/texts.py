"""What the gateway tells a citizen about their cases, besides the workflow's templates."""

from __future__ import annotations

from bot.messages import Button
from common.texts import Catalogue

TEXTS: dict[str, dict[str, str]] = {
    "status_changed": {
        "en": "Update on your {title} ({reference}): {status}.",
        "zh": "您的{title}（{reference}）有新进展：{status}。",
    },
    "note": {"en": "Note from the office: {note}", "zh": "工作人员留言：{note}"},
    "rate": {
        "en": "How satisfied are you with how {reference} was handled?",
        "zh": "您对{reference}的办理满意吗？请评价：",
    },
    "rated": {"en": "Thank you for your rating!", "zh": "感谢您的评价！"},
    "rated_low": {
        "en": "Thank you. We are sorry it did not go well: a supervisor will look at {reference}.",
        "zh": "谢谢您的评价。很抱歉让您不满意，主管会复查{reference}的办理情况。",
    },
    "info_received": {
        "en": "Thank you: we added what you sent to {reference}. The caseworker can see it now.",
        "zh": "谢谢！您发送的内容已附到{reference}，工作人员现在就能看到。",
    },
    "info_pick": {
        "en": "Two of your cases are waiting for information. Which one is this for?",
        "zh": "您有多个办件在等待补充材料。这条是给哪一个的？",
    },
    "info_pick_bad": {
        "en": "Please choose one of the numbers.",
        "zh": "请选择一个数字。",
    },
    "info_failed": {
        "en": "Sorry, I could not add that to your case just now. Please send it again in a "
        "minute, or type 0 to talk to a person.",
        "zh": "抱歉，暂时无法附到您的办件。请稍后再发一次，或输入 0 转人工。",
    },
}

# the national 好差评 scale, best first: the value is what is stored (5 very satisfied)
RATING_LABELS: tuple[tuple[int, dict[str, str]], ...] = (
    (5, {"en": "Very satisfied", "zh": "非常满意"}),
    (4, {"en": "Satisfied", "zh": "满意"}),
    (3, {"en": "Neutral", "zh": "基本满意"}),
    (2, {"en": "Dissatisfied", "zh": "不满意"}),
    (1, {"en": "Very dissatisfied", "zh": "非常不满意"}),
)
RATE_PAYLOAD = "/case_rate"
INFO_PAYLOAD = "/case_info"


say = Catalogue("cases", TEXTS)


def rating_buttons(reference: str, lang: str) -> tuple[Button, ...]:
    return tuple(
        Button(labels.get(lang) or labels["en"], f"{RATE_PAYLOAD} {reference} {value}")
        for value, labels in RATING_LABELS
    )


def rating_label(value: int, lang: str) -> str:
    for stored, labels in RATING_LABELS:
        if stored == value:
            return labels.get(lang) or labels["en"]
    return str(value)
