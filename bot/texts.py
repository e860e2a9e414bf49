"""The gateway's own short texts, in every supported language.

Bot replies come from Rasa's domain; these are the few things the gateway says itself
(when Rasa is down, about the queue, about bad input).
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "rasa_down": {
        "en": "Sorry, I can't answer right now because of a technical problem. "
        "Please try again in a minute, or talk to a person.",
        "zh": "抱歉，系统暂时出了点问题，现在无法回答。请稍后再试，或者转人工服务。",
    },
    "talk_to_person": {"en": "Talk to a person", "zh": "转人工"},
    "cancel_waiting": {"en": "Stop waiting", "zh": "取消等待"},
    "queued": {
        "en": "I'm passing you to a person. You are number {position} in the queue; "
        "the wait is about {minutes} min. You can keep writing here, or type 'cancel' to stop "
        "waiting.",
        "zh": "正在为您转接人工服务。您前面还有{ahead}位，预计等待约{minutes}分钟。"
        "您可以继续留言；输入“取消”可退出排队。",
    },
    "queue_update": {
        "en": "You are now number {position} in the queue (about {minutes} min).",
        "zh": "您现在排在第{position}位（约{minutes}分钟）。",
    },
    "waiting_ack": {
        "en": "Thanks, a person will read this when they pick up your conversation.",
        "zh": "已收到，人工客服接入后会看到您的留言。",
    },
    "handoff_cancelled": {
        "en": "OK, you have left the queue. I'm the assistant again: how can I help?",
        "zh": "好的，已退出排队。我是智能助手，请问还有什么可以帮您？",
    },
    "empty_message": {
        "en": "I didn't get any text. Please type your question.",
        "zh": "没有收到文字，请输入您的问题。",
    },
}


def text(key: str, lang: str, **values: object) -> str:
    variants = TEXTS[key]
    template = variants.get(lang) or variants["en"]
    return template.format(**values)
