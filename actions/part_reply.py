"""The reply to a question about one part of a guide ('what documents do I need for a
passport?'): the guide's title, that part in at most four short sentences (80 English words /
150 Chinese characters; the rest behind a button), the source at the part's anchor with the
review date, and buttons for the other parts and the full guide."""

from __future__ import annotations

import re
from dataclasses import dataclass

from actions.question_part import PARTS, part_section
from actions.texts import say
from knowledge_base import Guide
from knowledge_base.guide import SECTION_KEYS

MAX_SENTENCES = 4
MAX_EN_WORDS = 80
MAX_ZH_CHARS = 150
REST = ":rest"  # a part's payload detail for the rest of a part cut short ('fees:rest')

_LIST_MARK = re.compile(r"^\s*(?:[-*]|\d+[.)])\s+")
_SENTENCE_EN = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9])")
_SENTENCE_ZH = re.compile(r"(?<=[。！？])")


@dataclass(frozen=True)
class _Sentence:
    mark: str  # the list mark ('- ', '2. ') of a line's first sentence, '' after it
    text: str


def _sentences(body: str, lang: str) -> list[_Sentence]:
    pattern = _SENTENCE_ZH if lang == "zh" else _SENTENCE_EN
    out: list[_Sentence] = []
    for line in body.splitlines():
        found = _LIST_MARK.match(line)
        mark = found.group(0).strip() + " " if found else ""
        text = line[found.end() :] if found else line
        parts = [p.strip() for p in pattern.split(text.strip()) if p.strip()]
        out += [_Sentence(mark if i == 0 else "", p) for i, p in enumerate(parts)]
    return out


def _size(text: str, lang: str) -> int:
    """Words in English, characters (without spaces) in Chinese."""
    return len(re.sub(r"\s", "", text)) if lang == "zh" else len(text.split())


def _cap(lang: str) -> int:
    return MAX_ZH_CHARS if lang == "zh" else MAX_EN_WORDS


def _cut(sentence: _Sentence, lang: str) -> _Sentence:
    """One sentence longer than the whole limit: its beginning."""
    room = _cap(lang) - _size(sentence.mark, lang) - 1  # the mark and '…' count too
    if lang == "zh":
        return _Sentence(sentence.mark, sentence.text[:room] + "…")
    return _Sentence(sentence.mark, " ".join(sentence.text.split()[:room]) + " …")


def split_part(body: str, lang: str) -> tuple[str, str]:
    """(the beginning that fits: <= 4 sentences and the size limit, the rest or '')."""
    sentences = _sentences(body, lang)
    shown: list[_Sentence] = []
    used = 0
    for sentence in sentences:
        grows = _size(sentence.mark + sentence.text, lang)  # as shown, list mark included
        if len(shown) == MAX_SENTENCES or used + grows > _cap(lang):
            break
        shown.append(sentence)
        used += grows
    if not shown and sentences:  # a first sentence longer than the limit
        return _render([_cut(sentences[0], lang)], lang), _render(sentences, lang)
    return _render(shown, lang), _render(sentences[len(shown) :], lang)


def _render(sentences: list[_Sentence], lang: str) -> str:
    lines: list[str] = []
    for sentence in sentences:
        if sentence.mark or not lines:
            lines.append(sentence.mark + sentence.text)
        else:
            lines[-1] += ("" if lang == "zh" else " ") + sentence.text
    return "\n".join(lines)


def part_text(guide: Guide, part: str) -> str:
    """What the guide says about a part (the contact line has no section of its own)."""
    if part == "contact":
        return guide.contact
    return guide.sections.get(part, "").strip()


def part_source(guide: Guide, part: str, lang: str) -> str:
    anchor = f"{guide.source_url}#{part_section(part)}"
    return f"{say('source', lang)}: {anchor} ({say('reviewed', lang)} {guide.reviewed})"


def format_part(guide: Guide, lang: str, part: str, rest: bool = False) -> tuple[str, bool]:
    """The reply leading with `part` (or, `rest`, what was left of it), and whether more of the
    part is left behind a button."""
    head, tail = split_part(part_text(guide, part), lang)
    label = say(f"part_{part}", lang)
    if rest:
        lines = [guide.title, f"{label} ({say('part_continued', lang)}):", tail or head]
    else:
        lines = [guide.title, f"{label}:", head]
    lines += ["", part_source(guide, part, lang)]
    if guide.lang != lang:
        lines += [say("only_other_language", lang)]
    return "\n".join(lines).strip(), bool(tail) and not rest


def part_buttons(guide: Guide, lang: str, part: str, more: bool) -> list[dict[str, str]]:
    """The rest of the part (when cut short), the other parts, the full guide."""

    def ask(detail: str, title: str) -> dict[str, str]:
        payload = f'/ask_question{{"guide":"{guide.id}","detail":"{detail}"}}'
        return {"title": title, "payload": payload}

    buttons = [ask(part + REST, say("part_more", lang))] if more else []
    buttons += [ask(key, say(f"part_{key}", lang)) for key in SECTION_KEYS if key != part]
    return [*buttons, ask("full", say("more", lang))]


def parse_detail(detail: str | None) -> tuple[str, bool] | None:
    """A button's detail ('fees', 'fees:rest') as (part, rest); None when it names no part."""
    if not detail:
        return None
    part, _, tail = detail.partition(":")
    if part not in PARTS or tail not in ("", REST[1:]):
        return None
    return part, bool(tail)
