"""What the forms say besides their questions (those are in the domain files), en and zh."""

from __future__ import annotations

from common.texts import Catalogue

TEXTS: dict[str, dict[str, str]] = {
    "progress": {"en": "Step {step} of {total}:", "zh": "第{step}步，共{total}步："},
    "summary_progress": {"en": "Last step:", "zh": "最后一步："},
    "summary_title": {
        "en": "Please check your {title}:",
        "zh": "请核对您的{title}：",
    },
    "summary_hint": {
        "en": "Reply 'confirm' to send it, 'change <item>' (e.g. 'change phone') to correct "
        "something, or 'cancel'.",
        "zh": "回复“确认”就提交。要改某一项，回复“修改+项目”，如“修改电话”。不办了就回复“取消”。",
    },
    "confirm": {"en": "Confirm", "zh": "确认"},
    "change": {"en": "Change", "zh": "修改"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "which_change": {
        "en": "Which answer would you like to change?",
        "zh": "您想修改哪一项？",
    },
    "change_unknown": {
        "en": "I'm not sure which answer you want to change. You can change: {fields}.",
        "zh": "没明白您要修改哪一项。可以修改：{fields}。",
    },
    "summary_unclear": {
        "en": "Please reply 'confirm', 'change <item>' or 'cancel'.",
        "zh": "请回复“确认”“修改+项目”或“取消”。",
    },
    "welcome_back": {
        "en": "Welcome back! Let's continue your {title} where you left off.",
        "zh": "欢迎回来！我们接着填写您的{title}。",
    },
    "cancelled": {
        "en": "OK, I've cancelled your {title}. Nothing was sent. How else can I help?",
        "zh": "好的，已取消{title}，没有提交任何信息。还有什么可以帮您？",
    },
    "paused": {
        "en": "Your answers are saved. When you are ready, say 'continue' to finish your {title}.",
        "zh": "您填写的内容已保存。准备好后说“继续”，即可接着办理{title}。",
    },
    "handoff_saved": {
        "en": "Your answers so far are saved. After you talk to a person, say 'continue' to "
        "finish your {title}.",
        "zh": "您已填写的内容已保存；与人工客服沟通后，说“继续”即可接着办理{title}。",
    },
    "submitted": {
        "en": "Done! Your {title} has been sent. Your reference number is {reference}. "
        "To check it at any time, write 'status {reference}'.",
        "zh": "提交成功！我们已收到您的{title}，编号 {reference}。随时发送“查询 {reference}”"
        "就能看进度。",
    },
    "submit_failed": {
        "en": "Sorry, I couldn't send your {title} just now because the city's system is not "
        "answering. Nothing is lost: your answers are kept. Reply 'confirm' to try again "
        "in a moment.",
        "zh": "抱歉，政务系统暂时没有响应，{title}暂未提交成功。您的信息都已保留，请稍后回复"
        "“确认”重试。",
    },
    "nothing_to_resume": {
        "en": "You have no form left to finish. To start one, say for example 'report a "
        "street problem' or 'book an appointment'.",
        "zh": "您目前没有未完成的申请。可以说“我要反映问题”或“我要预约”开始办理。",
    },
    "resuming": {
        "en": "Let's continue your {title}.",
        "zh": "我们接着填写您的{title}。",
    },
    "case_status": {
        "en": "{reference} ({title}), sent on {date}: {status}.",
        "zh": "{reference}（{title}），{date}提交：{status}。",
    },
    "case_not_found": {
        "en": "I can't find a case {reference} for you. Please check the number (it looks "
        "like RC-2026-000123).",
        "zh": "没有找到您编号为 {reference} 的办件。请核对编号，格式如 RC-2026-000123。",
    },
    "no_cases": {
        "en": "You have not sent us any forms or reports yet.",
        "zh": "您还没有提交过申请或反映。",
    },
    "your_cases": {"en": "Your recent cases:", "zh": "您最近的办件："},
    "case_history": {"en": "What happened so far:", "zh": "办理记录："},
    "history_line": {"en": "- {date}: {status}", "zh": "- {date}：{status}"},
    "history_note": {"en": " ({note})", "zh": "（{note}）"},
    "status_unavailable": {
        "en": "Sorry, I can't look up cases right now. Please try again in a few minutes.",
        "zh": "抱歉，暂时无法查询办件进度，请几分钟后再试。",
    },
    "status_received": {"en": "received, waiting to be processed", "zh": "已收到，等待处理"},
    "status_in_progress": {"en": "being processed", "zh": "处理中"},
    "status_resolved": {"en": "resolved", "zh": "已办好"},
    "status_rejected": {"en": "not approved", "zh": "未通过"},
    "carrying_on": {
        "en": "We are still on your {title}. Here is the question again.",
        "zh": "我们还在办{title}。请回答这一题。",
    },
    "talk_to_person": {"en": "Talk to a person", "zh": "转人工"},
    "help_text": {
        "en": "Still not right. If you are stuck, a person can help you.",
        "zh": "还是不对。如果填不了，可以找人工帮您。",
    },
    "help_name": {
        "en": "Please write the name only, for example: Li Ming. Not sure? A person can help.",
        "zh": "请只写姓名，例如：李明。不清楚的话，可以找人工帮您。",
    },
    "help_date": {
        "en": "Please write a date like 2026-03-05 or 5 March. Not sure of it? A person can help.",
        "zh": "请这样写日期：2026-03-05 或 3月5日。记不清的话，可以找人工帮您。",
    },
    "help_phone": {
        "en": "A mobile number looks like 13812345678. No mobile? A person can help.",
        "zh": "手机号是这样的：13812345678。没有手机的话，可以找人工帮您。",
    },
    "help_id_number": {
        "en": "An ID number has 18 characters, like the one on the card. No ID card at hand? "
        "Say 'pause' and come back later, or ask a person.",
        "zh": "身份证号码是18位，看一下身份证背面。手边没有？说“暂停”以后再填，或找人工。",
    },
    "help_postcode": {
        "en": "A postcode has 6 digits, like 310000. Don't know it? Ask your community office. "
        "Or a person can help.",
        "zh": "邮编是6位数字，例如310000。不知道的话，可以问社区，或找人工帮您。",
    },
    "help_email": {
        "en": "An email looks like name@example.com. No email? Type 'skip'.",
        "zh": "邮箱是这样的：name@example.com。没有邮箱就回复“跳过”。",
    },
    "help_bank_account": {
        "en": "A bank card number has 12 to 19 digits. Look on the front of the card. "
        "A person can help too.",
        "zh": "银行卡号是12到19位数字，在卡的正面。也可以找人工帮您。",
    },
    "help_choice": {
        "en": "Please type the number of one choice, like 1. A person can help too.",
        "zh": "请输入一个选项的数字，比如1。也可以找人工帮您。",
    },
    "yes": {"en": "Yes", "zh": "是"},
    "no": {"en": "No", "zh": "否"},
    "none": {"en": "(none)", "zh": "（无）"},
    "photo_attached": {"en": "photo attached", "zh": "已附照片"},
    "shared_location": {"en": "shared location", "zh": "共享位置"},
}


say = Catalogue("forms", TEXTS)
