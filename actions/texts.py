"""Short texts the actions say, in English and Chinese."""

from __future__ import annotations

from common.texts import Catalogue

TEXTS: dict[str, dict[str, str]] = {
    "clarify": {
        "en": "I found a few guides that might fit. Which one do you mean?",
        "zh": "我找到几个可能相关的办事指南，您想了解哪一个？",
    },
    "decline": {
        "en": "Sorry, I don't have information about that in the city's service guides. "
        "I can pass you to a person who can help.",
        "zh": "抱歉，办事指南里没有找到这方面的信息。我可以为您转接人工客服。",
    },
    "talk_to_person": {"en": "Talk to a person", "zh": "转人工"},
    "none_of_these": {"en": "None of these", "zh": "都不是"},
    "search_failed": {
        "en": "Sorry, I can't search the guides right now. Please try again in a minute, or "
        "talk to a person.",
        "zh": "抱歉，暂时无法查询办事指南。请稍后再试，或者转人工服务。",
    },
    "switched_language": {
        "en": "OK, I'll continue in English.",
        "zh": "好的，接下来我用中文为您服务。",
    },
    "steps": {"en": "Steps", "zh": "办理流程"},
    "documents": {"en": "Documents", "zh": "所需材料"},
    "fee": {"en": "Fee", "zh": "费用"},
    "time": {"en": "Time", "zh": "办理时限"},
    "where": {"en": "Where", "zh": "办理地点"},
    "contact": {"en": "Contact", "zh": "咨询电话"},
    "source": {"en": "Source", "zh": "来源"},
    "reviewed": {"en": "reviewed on", "zh": "审核日期"},
    "more": {"en": "Full guide", "zh": "查看完整指南"},
    "part_who": {"en": "Who can apply", "zh": "申请条件"},
    "part_documents": {"en": "Documents", "zh": "所需材料"},
    "part_steps": {"en": "Steps", "zh": "办理流程"},
    "part_fees": {"en": "Fees", "zh": "费用"},
    "part_time": {"en": "Time", "zh": "办理时限"},
    "part_where": {"en": "Where", "zh": "办理地点"},
    "part_contact": {"en": "Contact", "zh": "咨询电话"},
    "part_more": {"en": "Show the rest", "zh": "查看其余内容"},
    "part_continued": {"en": "continued", "zh": "续"},
    "only_other_language": {
        "en": "(This guide is only in Chinese.)",
        "zh": "（该指南暂时只有英文版。）",
    },
}


say = Catalogue("answers", TEXTS)
