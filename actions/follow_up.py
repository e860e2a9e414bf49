"""Follow-up questions: 'how much does it cost?' / '要多少钱' right after a guide was answered
is about that guide. A follow-up asks about one aspect (fee, time, documents, place,
eligibility, steps) and names no subject of its own; it is answered from the last guide.

Pure: the text in, the aspect (a guide section key) or None out.
"""

from __future__ import annotations

import re

# aspect (a guide section) -> what asks about it, English and Chinese
_ASPECTS: dict[str, re.Pattern[str]] = {
    "fees": re.compile(
        r"\b(cost|costs|price|fees?|how much|pay|charge[sd]?|free|money)\b"
        r"|多少钱|费用|收费|收钱|要钱|花钱|免费|价格|交钱|几块钱|工本费",
        re.IGNORECASE,
    ),
    "time": re.compile(
        r"\b(how long|how many days|how soon|when (will|can|do) i get( it)?|take|takes|ready|"
        r"wait)\b|多久(能|可以|才能)?(拿到|拿|领到|领|取|办好|出来|下来)?|几天|多长时间|什么时候(能|可以)?(拿|领|办好|出来)|要等|等多久",
        re.IGNORECASE,
    ),
    "documents": re.compile(
        r"\b(documents?|papers?|paperwork|bring|take with me|materials?|what do i need)\b"
        r"|材料|带什么|拿什么|要带|资料|准备什么|证件",
        re.IGNORECASE,
    ),
    "where": re.compile(
        r"\b(where|which office|address|go to|online|opening hours|open)\b"
        r"|在哪|哪里|去哪|地址|网上|地点|几点开门|哪儿",
        re.IGNORECASE,
    ),
    "who": re.compile(
        r"\b(who can|eligible|qualify|can i (apply|get it)|am i allowed)\b"
        r"|谁能|谁可以|条件|资格|我能办吗|能不能办|符合",
        re.IGNORECASE,
    ),
    "steps": re.compile(
        r"\b(how do i (apply|do it|get it)|steps|process|procedure)\b|怎么办理|流程|步骤|怎么申请",
        re.IGNORECASE,
    ),
}
# Words that carry no subject of their own.
_EN_FILLER = frozenset(
    """a about am an and any are be can cost costs could do does for get how i if in is it
    its it's long me much my need of ok okay on please so that the then there this to what
    whats what's when where which will with would you and also again too does much many
    days hmm um oh right yes sure tell us we one go office place apply claim""".split()
)
_ZH_FILLER = set("那这它要得的呢吗啊呀嘛吧我您你还有个办需是么好多少去在能可以就都也再问下请一")


def follow_up_aspect(text: str, subject_allowed: bool = False) -> str | None:
    """The aspect a subject-less follow-up asks about, else None. `subject_allowed`: the
    aspect of any question ('how long does a repair take?' -> time)."""
    for aspect, pattern in _ASPECTS.items():
        if not pattern.search(text):
            continue
        rest = pattern.sub(" ", text)
        if _has_subject(rest) and not subject_allowed:
            return None
        return aspect
    return None


def _has_subject(rest: str) -> bool:
    words = re.findall(r"[a-z]+", rest.casefold())
    if any(len(w) > 2 and w not in _EN_FILLER for w in words):
        return True
    han = [c for c in rest if "\u4e00" <= c <= "\u9fff" and c not in _ZH_FILLER]
    return len(han) >= 2
