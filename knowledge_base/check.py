"""`civic kb check`, the file part: every guide parsed on its own (one malformed guide does not
hide the others), its sections, its links to other guides, its review date.

Levels: an *error* makes the check fail (a guide the index would refuse, a broken link, a plain
summary simplified mode cannot show); a *warning* is for the editor (a section longer than one
search chunk should be, a guide due for review). A review date older than ``max_age_days`` is
a warning, an error with ``strict``: CI does not turn red as guides age.

Links between guides, in any text of a guide: a Markdown link ``[text](target)`` whose target
is ``#anchor`` (this guide), ``<id>``, ``<id>.md``, ``../<lang>/<id>.md`` (optionally
``#anchor``), or the guides' public address ``https://services.lakeside.example/guides/<id>``
(written anywhere). The guide must exist (in that language when the path names one) and the
anchor must be a section key: who, documents, steps, fees, time, where."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from knowledge_base.errors import GuideError
from knowledge_base.guide import LANGS, SECTION_KEYS, SOURCE_URL, Guide, guide_files, parse_guide

ERROR, WARNING = "error", "warning"
SECTION_WORDS_EN, SECTION_CHARS_ZH = 120, 200
_MD_LINK = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_PUBLIC = re.compile(re.escape(SOURCE_URL.format(id="")) + r"([A-Za-z0-9-]+)(#[\w-]+)?")
_NUMBERED = re.compile(r"^\s*\d+[.)、]\s", re.MULTILINE)

# (text, lang) -> problems, for the simplified-mode summary (civic passes the readability
# measures of bot/simple_mode; the library itself has none)
SimpleCheck = Callable[[str, str], list[str]]


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning
    check: str  # malformed, section, link, simple, review, duplicate, won-by-other
    file: str  # "en/passport.md", or "" for the folder
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class CheckOptions:
    as_of: dt.date = field(default_factory=dt.date.today)
    max_age_days: int = 365
    strict: bool = False
    simple_check: SimpleCheck | None = None


def rel(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def name_of(guide: Guide) -> str:
    return f"{guide.lang}/{guide.id}.md"


def check_files(guides_dir: Path, options: CheckOptions) -> tuple[list[Guide], list[Finding]]:
    """The well-formed guides of the folder and every finding the files alone give."""
    if not guides_dir.is_dir():
        return [], [Finding(ERROR, "malformed", "", f"{guides_dir} is not a directory")]
    files = guide_files(guides_dir)
    if not files:
        return [], [Finding(ERROR, "malformed", "", f"no guides (<lang>/<id>.md) in {guides_dir}")]
    guides: list[Guide] = []
    findings: list[Finding] = []
    for path in files:
        try:
            guide = parse_guide(path)
        except GuideError as exc:
            kind = "section" if exc.field.startswith(("section", "sections")) else "malformed"
            if exc.field == "simple":
                kind = "simple"
            findings.append(Finding(ERROR, kind, rel(path), f"{exc.field}: {exc.problem}"))
            continue
        guides.append(guide)
        findings += _sections(guide) + _review(guide, options) + _simple(guide, options)
    existing = {(path.parent.name, path.stem) for path in files}
    for guide in guides:
        findings += _links(guide, existing)
    return guides, findings


def _sections(guide: Guide) -> list[Finding]:
    out = []
    for key, text in guide.sections.items():
        if guide.lang == "zh":
            size, cap, unit = len(re.sub(r"\s", "", text)), SECTION_CHARS_ZH, "characters"
        else:
            size, cap, unit = len(text.split()), SECTION_WORDS_EN, "words"
        if size > cap:
            out.append(
                Finding(
                    WARNING,
                    "section",
                    name_of(guide),
                    f"section '{key}' has {size} {unit} (keep it under {cap}: one search chunk)",
                )
            )
    if not _NUMBERED.search(guide.sections["steps"]):
        out.append(
            Finding(WARNING, "section", name_of(guide), "section 'steps' has no numbered steps")
        )
    return out


def _review(guide: Guide, options: CheckOptions) -> list[Finding]:
    age = (options.as_of - guide.reviewed).days
    if age > options.max_age_days:
        return [
            Finding(
                ERROR if options.strict else WARNING,
                "review",
                name_of(guide),
                f"reviewed {guide.reviewed}, {age} days before {options.as_of} "
                f"(review at least every {options.max_age_days} days)",
            )
        ]
    if age < 0:
        return [
            Finding(
                WARNING,
                "review",
                name_of(guide),
                f"reviewed {guide.reviewed} is after {options.as_of}",
            )
        ]
    return []


def _simple(guide: Guide, options: CheckOptions) -> list[Finding]:
    if options.simple_check is None:
        return []
    return [
        Finding(ERROR, "simple", name_of(guide), f"simple: {problem}")
        for problem in options.simple_check(guide.simple, guide.lang)
    ]


def guide_texts(guide: Guide) -> list[tuple[str, str]]:
    """(where, text) of every text of a guide that may hold a link."""
    fields = ("summary", "simple", "office", "contact", "fee", "processing_time")
    return [(f, getattr(guide, f)) for f in fields] + [
        (f"section '{key}'", text) for key, text in guide.sections.items()
    ]


def _links(guide: Guide, existing: set[tuple[str, str]]) -> list[Finding]:
    out = []
    for where, text in guide_texts(guide):
        targets = [m.group(1) for m in _MD_LINK.finditer(text)]
        targets += [m.group(0) for m in _PUBLIC.finditer(text) if m.group(0) not in targets]
        for target in targets:
            problem = link_problem(guide, target, existing)
            if problem:
                out.append(Finding(ERROR, "link", name_of(guide), f"{where}: {problem}"))
    return out


def link_problem(guide: Guide, target: str, existing: set[tuple[str, str]]) -> str | None:
    """Why a link target from this guide is broken, or None (external links are not checked)."""
    public = _PUBLIC.fullmatch(target)
    lang: str | None = None
    if public:
        guide_id, anchor = public.group(1), (public.group(2) or "")[1:]
    elif re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
        return None  # another site, mail, phone: not ours to check
    else:
        path, _, anchor = target.partition("#")
        if not path:
            guide_id = guide.id
        else:
            parts = [p for p in path.split("/") if p not in ("", ".")]
            guide_id = parts[-1].removesuffix(".md")
            if len(parts) >= 2 and parts[-2] in LANGS:
                lang = parts[-2]
            elif ".." in parts:
                return f"link '{target}': a path outside the guides folder"
    if lang is not None and (lang, guide_id) not in existing:
        return f"link '{target}': no guide '{guide_id}' in {lang}/"
    if not any((other, guide_id) in existing for other in LANGS):
        return f"link '{target}': no guide '{guide_id}'"
    if anchor and anchor not in SECTION_KEYS:
        return f"link '{target}': no section '#{anchor}' (anchors: {', '.join(SECTION_KEYS)})"
    return None
