"""Service guides: parsing and validating one Markdown guide, loading a guides directory.

The format is defined in ``knowledge_base/guides/README.md``: YAML front matter between ``---``
lines, then six ``##`` sections in a fixed order, headings in the guide's language."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.errors import GuideError

LANGS = ("en", "zh")
SECTION_KEYS = ("who", "documents", "steps", "fees", "time", "where")
SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "en": ("Who can apply", "Documents", "Steps", "Fees", "Time", "Where and online"),
    "zh": ("申请条件", "所需材料", "办理流程", "费用", "办理时限", "办理地点和网上办理"),
}
CATEGORIES = frozenset(
    "identity residence family social-security health housing business transport education "
    "elderly disability employment tax culture city-services contact".split()
)
SOURCE_URL = "https://services.lakeside.example/guides/{id}"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TEXT_FIELDS = ("title", "summary", "simple", "office", "contact", "fee", "processing_time")
_REQUIRED = (
    "id lang title summary simple aliases questions category source_url reviewed office "
    "contact fee processing_time"
).split()
_KNOWN = frozenset(_REQUIRED) | {"form"}


@dataclass(frozen=True)
class Guide:
    """One service guide in one language (all front matter fields plus its six sections)."""

    id: str
    lang: str
    title: str
    summary: str
    simple: str
    aliases: tuple[str, ...]
    questions: tuple[str, ...]
    category: str
    source_url: str
    reviewed: dt.date
    office: str
    contact: str
    fee: str
    processing_time: str
    sections: dict[str, str]
    form: str | None = None


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise GuideError(path, "front matter", "file must start with a '---' line")
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        raise GuideError(path, "front matter", "no closing '---' line") from None
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise GuideError(path, "front matter", f"invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise GuideError(path, "front matter", "must be a YAML mapping")
    return data, "\n".join(lines[end + 1 :])


def _text(path: Path, data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise GuideError(path, field, "must be a non-empty string")
    return value.strip()


def _text_list(path: Path, data: dict[str, Any], field: str, minimum: int) -> tuple[str, ...]:
    value = data.get(field)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GuideError(path, field, "must be a list of non-empty strings")
    if len(value) < minimum:
        raise GuideError(path, field, f"needs at least {minimum} entries, has {len(value)}")
    return tuple(v.strip() for v in value)


def _reviewed(path: Path, data: dict[str, Any]) -> dt.date:
    value = data.get("reviewed")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise GuideError(path, "reviewed", f"must be a date YYYY-MM-DD, got {value!r}")


def _check_length(
    path: Path, field: str, text: str, lang: str, en_words: int, zh_chars: int
) -> None:
    if lang == "en" and len(text.split()) > en_words:
        raise GuideError(path, field, f"longer than {en_words} words ({len(text.split())})")
    if lang == "zh" and len(text) > zh_chars:
        raise GuideError(path, field, f"longer than {zh_chars} characters ({len(text)})")


def _sections(path: Path, body: str, lang: str) -> dict[str, str]:
    headings = SECTION_HEADINGS[lang]
    found: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("## "):
            found.append((line[3:].strip(), []))
        elif found:
            found[-1][1].append(line)
    names = [name for name, _ in found]
    if names != list(headings):
        missing = [h for h in headings if h not in names]
        extra = [n for n in names if n not in headings]
        detail = f"missing {missing}" if missing else f"unexpected {extra}" if extra else ""
        raise GuideError(
            path, "sections", f"expected ## headings {list(headings)} in order; {detail or names}"
        )
    sections: dict[str, str] = {}
    for key, (name, lines) in zip(SECTION_KEYS, found, strict=True):
        content = "\n".join(lines).strip()
        if not content:
            raise GuideError(path, f"section '{name}'", "is empty")
        sections[key] = content
    return sections


def parse_guide(path: Path) -> Guide:
    """Parse and validate one guide file; raise GuideError naming the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GuideError(path, "file", f"cannot read: {exc}") from exc
    data, body = _split_front_matter(path, text)
    for field in _REQUIRED:
        if field not in data or data[field] is None:
            raise GuideError(path, field, "is required")
    unknown = sorted(set(map(str, data)) - _KNOWN)
    if unknown:
        raise GuideError(path, unknown[0], "is not a known front matter field")
    guide_id = _text(path, data, "id")
    if not _ID.match(guide_id) or guide_id != path.stem:
        raise GuideError(path, "id", f"{guide_id!r} must be lowercase-with-dashes = file name")
    lang = _text(path, data, "lang")
    if lang not in LANGS or (path.parent.name in LANGS and lang != path.parent.name):
        raise GuideError(path, "lang", f"{lang!r} must be en or zh and match the folder")
    texts = {field: _text(path, data, field) for field in _TEXT_FIELDS}
    _check_length(path, "summary", texts["summary"], lang, 40, 80)
    _check_length(path, "simple", texts["simple"], lang, 50, 80)
    category = _text(path, data, "category")
    if category not in CATEGORIES:
        raise GuideError(path, "category", f"{category!r} is not one of {sorted(CATEGORIES)}")
    source_url = _text(path, data, "source_url")
    if source_url != SOURCE_URL.format(id=guide_id):
        raise GuideError(path, "source_url", f"must be {SOURCE_URL.format(id=guide_id)}")
    form = data.get("form")
    if form is not None and (not isinstance(form, str) or not form.strip()):
        raise GuideError(path, "form", "must be a non-empty string when present")
    return Guide(
        id=guide_id,
        lang=lang,
        aliases=_text_list(path, data, "aliases", 2),
        questions=_text_list(path, data, "questions", 4),
        category=category,
        source_url=source_url,
        reviewed=_reviewed(path, data),
        sections=_sections(path, body, lang),
        form=form.strip() if isinstance(form, str) else None,
        **texts,
    )


def guide_files(guides_dir: Path) -> list[Path]:
    """The guide files of a directory: ``<lang>/<id>.md`` for each language, sorted."""
    return [
        path
        for lang in LANGS
        for path in sorted((guides_dir / lang).glob("*.md"))
        if path.name.lower() != "readme.md"
    ]


def load_guides(guides_dir: Path) -> list[Guide]:
    """Parse every guide under guides_dir (en/ and zh/); the first malformed one raises."""
    if not guides_dir.is_dir():
        raise GuideError(guides_dir, "directory", "guides directory does not exist")
    return [parse_guide(path) for path in guide_files(guides_dir)]
