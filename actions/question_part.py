"""The part of a guide a question asks about: a section (who can apply, documents, steps, fees,
time, where), the contact line, or "general" (the whole guide).

'kindergarten fees at public ones' -> fees; '护照多久能拿到' -> time; 'register my dog' ->
general. Several parts asked: the one asked first. Pure: the text in, a part out. A
follow-up's aspect (actions/follow_up.py) is decided there, for questions without a subject.
"""

from __future__ import annotations

import re

GENERAL = "general"
# the parts a reply can lead with; "contact" has no section of its own (see PART_ANCHOR)
PARTS = ("who", "documents", "steps", "fees", "time", "where", "contact")
# the section (and its anchor on the public guide page) that shows a part
PART_SECTION = {"contact": "where"}

_I = re.IGNORECASE
# part -> what asks about it (English, then Chinese); order breaks ties at one position
_PATTERNS: dict[str, re.Pattern[str]] = {
    "who": re.compile(
        r"\b(eligib\w*|qualif(y|ies)|entitled|conditions?|requirements?|income limits?|who can "
        r"(apply|get)|am i allowed|is it true|points system|before i can|to join my|can (i|my \w+'s"
        r" \w+|my \w+) (still |already )?(get|apply|claim|renew|take out|pay|settle|move)\b|"
        r"can i still|still (claim|renew|get))"
        r"|谁能|谁可以|条件|资格(?!认证|证)|能(办|领(?!多少|几)|在这边|在湖滨)|还能|可以取|能报吗|积分怎么算|收入标准|交满|注册资金|"
        r"\d+岁\S*要\S*吗|满\d+岁了要",
        _I,
    ),
    "documents": re.compile(
        r"\b(documents?|papers|photos?|bring|take with me|what do i need to bring|materials?|"
        r"is an? [\w ]+ enough)\b"
        r"|材料|带什么|要带|准备什么|证件|照片|资料|合同",
        _I,
    ),
    "steps": re.compile(
        r"\b(procedures?|process|steps|how do (i|we) do (that|this|it))\b|流程|步骤|要先|怎么操作",
        _I,
    ),
    "fees": re.compile(
        r"\b(fees?|price|(?<!medical )(?<!hospital )costs?|how much (is|does|do|per|money|will)"
        r"|how much\??$|charges?|free of charge|is it free|are there subsid\w+|discount|duty)\b"
        r"|多少钱|费用|收费|要钱|免费|价格|几块钱|工本费|关税|多少补助|每月多少|每个月多少|学费|"
        r"能报多少|能领多少|有补贴吗",
        _I,
    ),
    "time": re.compile(
        r"\b(how long|how soon|how quickly|deadline|when (is|does|will|can|should|do)|how many "
        r"(days|weeks)|valid|due|urgent|renew\b[^?]* every year|waiting time)\b"
        r"|多久|多长时间|几天|什么时候|截止|期限|几个月|冷静期|加急|到账|时限",
        _I,
    ),
    "where": re.compile(
        r"\b(where|which office|address|opening hours|open (on|during|24|at)|online|"
        r"who (can i complain to|fixes))\b"
        r"|在哪|哪里(?!玩)|去哪(?!玩)|哪儿|地址|网上|找谁|几点(开门|上班|有人接|下班)|开门吗|放假吗|"
        r"往哪|哪个(法院|窗口|部门)",
        _I,
    ),
    "contact": re.compile(
        r"\b(what number|which number|phone number|telephone|number (do i|to) call)\b"
        r"|电话|打什么号码",
        _I,
    ),
}
# 'where does my ex-husband live' asks about a person, not a service
_NOT_A_SERVICE = re.compile(r"住哪|\b(live|lives|living) now\b", _I)


def question_part(text: str) -> str:
    """The part `text` asks about (a key of PARTS), or GENERAL when it names none."""
    if _NOT_A_SERVICE.search(text):
        return GENERAL
    first: tuple[int, int, str] | None = None
    for rank, (part, pattern) in enumerate(_PATTERNS.items()):
        found = pattern.search(text)
        if found is not None and (first is None or (found.start(), rank) < first[:2]):
            first = (found.start(), rank, part)
    return first[2] if first is not None else GENERAL


def part_section(part: str) -> str:
    """The guide section that shows `part` (its key and its anchor)."""
    return PART_SECTION.get(part, part)
