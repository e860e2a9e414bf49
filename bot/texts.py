"""The gateway's own short texts, in every supported language.

Bot replies come from Rasa's domain; these are the few things the gateway says itself
(when Rasa is down, about the queue, about bad input).
"""

from __future__ import annotations

from common.texts import Catalogue

TEXTS: dict[str, dict[str, str]] = {
    "rasa_down": {
        "en": "Sorry, I can't answer right now because of a technical problem. "
        "Please try again in a minute, or talk to a person.",
        "zh": "抱歉，系统暂时出了点问题，现在无法回答。请稍后再试，或者转人工服务。",
    },
    "talk_to_person": {"en": "Talk to a person", "zh": "转人工"},
    "nothing_to_repeat": {
        "en": "I have not said anything yet that I could repeat. Ask me about a public service, "
        'for example "How do I renew my ID card?", or talk to a person.',
        "zh": "我还没有说过可以重复的内容。您可以问我办事的问题，"
        "比如“身份证怎么换？”，也可以转人工。",
    },
    "forgotten": {
        "en": "Welcome back. To keep your data safe, we deleted your old chat. It had not been "
        "used for a long time. A form you did not finish was deleted too. Please start again.",
        "zh": "欢迎回来。您很久没有使用了。为了保护您的隐私，之前的对话已经删除。"
        "没填完的申请也删除了。请重新开始。",
    },
    "cancel_waiting": {"en": "Stop waiting", "zh": "取消等待"},
    "queued": {
        "en": "I'm passing you to a person. You are number {position} in the queue; "
        "the wait is about {minutes} min. You can keep writing here. To stop waiting, choose "
        "Stop waiting.",
        "zh": "正在为您转接人工服务。您前面还有{ahead}位，预计等待约{minutes}分钟。"
        "您可以继续留言；如需退出排队，请选择“取消等待”。",
    },
    "queue_update": {
        "en": "You are now number {position} in line. The wait is about {minutes} min.",
        "zh": "您现在排在第{position}位（约{minutes}分钟）。",
    },
    "waiting_ack": {
        "en": "I've passed this on. You are number {position} in the queue.",
        "zh": "已转给人工客服。您现在排第{position}位。",
    },
    "only_en_zh": {
        "en": "Sorry, I can only read English and Chinese.",
        "zh": "抱歉，我只会说中文和英文。",
    },
    "handoff_cancelled": {
        "en": "OK, you have left the queue. I'm the assistant again: how can I help?",
        "zh": "好的，已退出排队。我是智能助手，请问还有什么可以帮您？",
    },
    "rate_limited": {
        "en": "You are sending messages very quickly. Please wait a moment, then try again.",
        "zh": "您发送消息太快了，请稍等片刻再试。",
    },
    "offer_help": {
        "en": "Sorry, I do not understand. Shall I use short, simple messages? "
        "Or I can get you a person.",
        "zh": "抱歉，我没能理解您的意思。要不要换成更简单的长辈模式？也可以为您转人工。",
    },
    "simple_mode_button": {"en": "Simple mode", "zh": "长辈模式"},
    "idle_reminder": {
        "en": "Are you still there? Take your time. Your answers are saved. "
        "Type repeat to see the last question, or 0 for a person.",
        "zh": "您还在吗？不着急，您填的内容都保存着。输入“重复”再看一遍问题，输入0转人工。",
    },
    "confirm_answer": {
        "en": "You said: {value}. Is that right?",
        "zh": "您填的是：{value}。对吗？",
    },
    "yes": {"en": "Yes", "zh": "对"},
    "no": {"en": "No", "zh": "不对"},
    "change_field": {"en": "change {field}", "zh": "修改{field}"},
    "other_choices": {"en": "Other choices:", "zh": "其他选项："},
    "empty_message": {
        "en": "I didn't get any text. Please type your question.",
        "zh": "没有收到文字，请输入您的问题。",
    },
}


text = Catalogue("gateway", TEXTS)
