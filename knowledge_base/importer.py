"""Importing an eval-format FAQ file as Markdown guide drafts (one file per FAQ and language).

Fields an FAQ does not have (office, fees, ...) are written as ``TODO`` so an editor completes
them; the answer goes under the first section. Drafts are written outside ``guides/`` and only
become guides after review (they do not validate while a TODO remains)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from knowledge_base.dataset import Faq, read_faqs
from knowledge_base.guide import SECTION_HEADINGS, SOURCE_URL

TODO = "TODO"


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value[:60].strip("-") or "faq"


def faq_markdown(faq: Faq, guide_id: str, today: dt.date) -> str:
    title = faq.questions[0] if faq.questions else faq.answer.split("\n", 1)[0][:80]
    front = {
        "id": guide_id,
        "lang": faq.lang,
        "title": title,
        "summary": TODO,
        "simple": TODO,
        "aliases": [TODO, TODO],
        "questions": list(faq.questions) or [TODO],
        "category": "contact",
        "source_url": SOURCE_URL.format(id=guide_id),
        "reviewed": today.isoformat(),
        "office": TODO,
        "contact": TODO,
        "fee": TODO,
        "processing_time": TODO,
    }
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False).strip()
    headings = SECTION_HEADINGS[faq.lang]
    body = [f"## {headings[0]}", "", faq.answer.strip() or TODO]
    for heading in headings[1:]:
        body += ["", f"## {heading}", "", TODO]
    return f"---\n{head}\n---\n\n" + "\n".join(body) + "\n"


def import_faqs(faq_file: Path, out_dir: Path, today: dt.date | None = None) -> list[Path]:
    """Write ``out_dir/<lang>/<id>.md`` drafts for every FAQ; returns the written paths."""
    today = today or dt.date.today()
    written = []
    for faq in read_faqs(faq_file):
        guide_id = slug(faq.id)
        path = out_dir / faq.lang / f"{guide_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(faq_markdown(faq, guide_id, today), "utf-8")
        written.append(path)
    return written
