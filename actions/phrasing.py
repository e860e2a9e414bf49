"""How citizens (often elderly) say things, in the words the guides use: euphemisms for a
death ('我老伴走了', 'my husband passed') and hearsay around the question ('my son said I need a
card'). Pure text in, text out; the search itself is knowledge_base's."""

from __future__ import annotations

import re

_PERSON_ZH = (
    r"老伴|老伴儿|老头子?|老太婆?|爱人|丈夫|老公|妻子|老婆|爸爸?|妈妈?|父亲|母亲|爷爷|奶奶|外公|外婆|"
    r"家人|家里人|老人|亲人|儿子|女儿|哥哥?|姐姐?|弟弟?|妹妹?"
)
_GONE_ZH = re.compile(rf"({_PERSON_ZH})(昨天|前天|上周|刚|刚刚|已经)?(走了|没了|不在了|过世了?)")
_GONE_EN = re.compile(
    r"\b(passed away|passed on|passed|is gone|has gone|left us|lost (my|our) "
    r"(husband|wife|father|mother|dad|mum|mom|son|daughter|partner))\b",
    re.IGNORECASE,
)
# 'my son said I need a card': what others said is context, not the question
_HEARSAY = re.compile(
    r"\s*,?\s*\b(my|our|the)\s+\w+\s+(said|says|told me|tells me)\b.*$"
    r"|[，,]?\s*(我)?(儿子|女儿|孩子|老伴|邻居|别人|他们)(说|讲|告诉我).*$",
    re.IGNORECASE,
)


def plain_words(text: str) -> str:
    """The question with euphemisms for a death said plainly."""
    text = _GONE_ZH.sub(lambda m: f"{m.group(1)}去世了", text)
    return _GONE_EN.sub("died", text)


def without_hearsay(text: str) -> str:
    """The question without what someone else said around it ('' when nothing is left)."""
    return _HEARSAY.sub("", text).strip()
