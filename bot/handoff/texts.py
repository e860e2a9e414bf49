"""What the gateway tells a citizen around a handoff, in every supported language."""

from __future__ import annotations

from bot.messages import Button, OutgoingMessage
from common.texts import Catalogue

TEXTS: dict[str, dict[str, str]] = {
    "agent_joined": {
        "en": "A person from our team has joined the conversation. You can write to them here.",
        "zh": "人工客服已接入，您可以直接在这里和工作人员交流。",
    },
    "queue_update": {
        "en": "You are now number {position} in the queue. The wait is about {minutes} min.",
        "zh": "您现在排在第{position}位（约{minutes}分钟）。",
    },
    "queue_worse_priority": {
        "en": "Someone who needs priority help joined the queue ahead of you, so you are now "
        "number {position}. The wait is about {minutes} min.",
        "zh": "有一位需要优先照顾的市民排到了您前面。您现在排在第{position}位（约{minutes}分钟）。",
    },
    "queue_worse_returned": {
        "en": "Someone who was waiting before you came back to the queue, so you are now number "
        "{position}. The wait is about {minutes} min.",
        "zh": "一位比您更早排队的市民回到了队列中。您现在排在第{position}位（约{minutes}分钟）。",
    },
    "agent_stepped_away": {
        "en": "The person helping you had to step away. You keep your place in the queue: you "
        "are number {position}, and the wait is about {minutes} min.",
        "zh": "刚才为您服务的工作人员临时离开了。"
        "您的位置不变。您排在第{position}位（约{minutes}分钟）。",
    },
    "back_in_queue": {
        "en": "You are back in the queue for a person. You are number {position}. The wait is "
        "about {minutes} min.",
        "zh": "您已重新排队，等人工客服。您排在第{position}位，约{minutes}分钟。",
    },
    "agent_still_there": {
        "en": "The person helping you is still here and will answer soon.",
        "zh": "工作人员仍在为您服务，请稍候，很快会回复您。",
    },
    "agent_with_you": {
        "en": "A person from our team is with you in this chat. Write your message here.",
        "zh": "工作人员正在为您服务，请直接在这里留言。",
    },
    "still_waiting": {
        "en": "You are still in the queue for a person: number {position}. The wait is about "
        "{minutes} min. Write 'cancel' to stop waiting.",
        "zh": "您仍在排队等人工客服。您排在第{position}位，约{minutes}分钟。输入“取消”可退出排队。",
    },
    "transferred_agent": {
        "en": "A colleague is taking over your conversation.",
        "zh": "另一位工作人员将继续为您服务。",
    },
    "closed": {
        "en": "The chat with our staff has ended. I'm the assistant again.",
        "zh": "人工服务已结束，现在由智能助手继续为您服务。",
    },
    "rate": {
        "en": "How was the help you got? Choose 1 (poor) to 5 (excellent).",
        "zh": "您对本次人工服务满意吗？请选择 1（很差）到 5（很好）。",
    },
    "rated": {"en": "Thank you for your rating!", "zh": "感谢您的评价！"},
    "still_there": {
        "en": "Are you still there? Write anything to keep your place in the queue.",
        "zh": "您还在吗？请回复任意内容以保留您的排队位置。",
    },
    "abandoned": {
        "en": "We closed your request because we did not hear from you. Write 'person' any "
        "time to talk to someone again.",
        "zh": "由于长时间没有收到您的回复，您的人工服务请求已关闭。"
        "如需人工服务，请随时输入“人工”。",
    },
    "offer_closed": {
        "en": "Our staff are not available right now (we open again {next}). You can leave a "
        "message or book a callback.",
        "zh": "现在不是人工服务时间（下次开放：{next}）。您可以留言，或预约回电。",
    },
    "offer_long_wait": {
        "en": "The wait for a person is long right now (about {minutes} min). You can leave a "
        "message or book a callback, or keep waiting.",
        "zh": "目前人工排队时间较长（约{minutes}分钟）。您可以留言、预约回电，或继续等待。",
    },
    "btn_leave_message": {"en": "Leave a message", "zh": "留言"},
    "btn_callback": {"en": "Book a callback", "zh": "预约回电"},
    "btn_wait": {"en": "Keep waiting", "zh": "继续等待"},
    "btn_cancel": {"en": "Cancel", "zh": "取消"},
    "ask_message": {
        "en": "Please write your message; a person will answer you here.",
        "zh": "请写下您的留言，工作人员会在这里回复您。",
    },
    "message_saved": {
        "en": "Thank you, your message is saved (reference H-{ticket}). A person will answer "
        "you here.",
        "zh": "谢谢，您的留言已保存（编号 H-{ticket}）。工作人员会在这里回复您。",
    },
    "ask_callback_time": {
        "en": "When should we call you? For example 'tomorrow 10:00' or '2026-12-01 14:30'.",
        "zh": "您希望我们什么时候给您回电？例如“明天 10:00”或“2026-12-01 14:30”。",
    },
    "callback_time_bad": {
        "en": "I couldn't use that time: it must be in the future and within our opening "
        "hours. Please try again, e.g. 'Monday 10:30'.",
        "zh": "这个时间无法预约：需要是将来的、在服务时间内的时间。请再试一次，例如“周一 10:30”。",
    },
    "ask_phone": {
        "en": "Which phone number should we call?",
        "zh": "请问我们应拨打哪个电话号码？",
    },
    "phone_bad": {
        "en": "That doesn't look like a phone number. Please write it with digits, e.g. "
        "0123 456 789.",
        "zh": "这看起来不是电话号码，请用数字填写，例如 0123 456 789。",
    },
    "callback_booked": {
        "en": "Done: we will call you on {when} (UTC). Reference H-{ticket}.",
        "zh": "已预约：我们将在 {when}（UTC）给您回电。编号 H-{ticket}。",
    },
    "offer_cancelled": {
        "en": "OK. I'm the assistant again: how can I help?",
        "zh": "好的。我是智能助手，请问还有什么可以帮您？",
    },
}


say = Catalogue("handoff", TEXTS)


def system(
    key: str, lang: str, buttons: tuple[Button, ...] = (), **values: object
) -> OutgoingMessage:
    return OutgoingMessage(text=say(key, lang, **values), sender="system", buttons=buttons)


def rating_buttons() -> tuple[Button, ...]:
    return tuple(Button(str(n), f"/rate {n}") for n in range(1, 6))
