"""What the gateway says about channels and linking, in every supported language."""

from __future__ import annotations

from common.texts import Catalogue

TEXTS: dict[str, dict[str, str]] = {
    "link_code": {
        "en": "Your link code is {code}. On your other channel (Telegram, the web chat or an "
        "app) type: link {code}\nThe code works once, for 10 minutes. Your conversation then "
        "continues there, with its history.",
        "zh": "您的绑定码是 {code}。另一个渠道可以是 Telegram、网页或应用。"
        "请在那里输入：绑定 {code}\n绑定码只能用一次，10分钟内有效。之后对话和记录都在那边继续。",
    },
    "link_done": {
        "en": "Done: your channels are linked. We carry on where you left off.",
        "zh": "绑定成功：您的各个渠道已连接，我们接着刚才的对话继续。",
    },
    "link_same": {
        "en": "This chat is already linked to that one.",
        "zh": "这个聊天已经绑定到该对话了。",
    },
    "link_invalid": {
        "en": "That link code is not valid or has expired. Type 'link' on your other channel "
        "to get a new one.",
        "zh": "绑定码无效或已过期。请在另一个渠道输入“绑定”获取新的绑定码。",
    },
    "link_too_many": {
        "en": "Too many wrong codes. Please wait 10 minutes and try again.",
        "zh": "错误次数过多，请10分钟后再试。",
    },
    "link_busy": {
        "en": "You are talking with a person here at the moment. Finish or cancel that first, "
        "then link your channels.",
        "zh": "您正在与人工客服对话。请先结束或取消，再绑定渠道。",
    },
    "media_unsupported": {
        "en": "Sorry, I can only read text, photos and shared locations. Please type your "
        "message, or talk to a person.",
        "zh": "抱歉，我只能看懂文字、照片和位置。请直接输入文字，或者转人工服务。",
    },
    "photo_received": {"en": "📷 Photo", "zh": "📷 照片"},
    "group_not_supported": {
        "en": "I only talk in private chats, to keep your details private. Please write to me "
        "directly.",
        "zh": "为保护您的隐私，我只在私聊中服务。请直接私信我。",
    },
    "edited_ignored": {
        "en": "I saw you edited a message. I can't change what was already answered; please "
        "send the correction as a new message.",
        "zh": "您编辑了一条消息。已回复的内容无法更改，请把更正作为新消息发送。",
    },
    "too_long": {
        "en": "That message is too long for me. Please send it in shorter parts.",
        "zh": "这条消息太长了，请分几段发送。",
    },
    "lang_already": {"en": "We are already speaking English.", "zh": "我们现在就在用中文交流。"},
    "trouble": {
        "en": "Sorry, something went wrong on our side. Please try again in a minute, or type "
        "0 to talk to a person.",
        "zh": "抱歉，我们这边出了点问题。请稍后再试，或输入 0 转人工。",
    },
    "not_understood_choice": {
        "en": "Please choose one of the numbers, or type 0 to talk to a person.",
        "zh": "请选择一个数字，或输入 0 转人工。",
    },
}


text = Catalogue("delivery", TEXTS)
