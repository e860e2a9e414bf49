"""The console's catalogues: English and Chinese say the same things (same keys, same
placeholders, nothing empty, no English left in the Chinese), every key the pages and scripts
use exists in both, no words in the console's markup escape the catalogues, the words the
server sends as keys (button presses, simplified-mode warnings) are there with the server's
English, and both catalogues are served."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import get_args

import pytest

from bot.agents.availability import STATUSES
from bot.agents.roles import ROLES
from bot.conversation.language import SUPPORTED
from bot.simple_mode.readability import WARNINGS
from console.api import QueueItem
from console.insights import MarkIn
from console.labels import ENGLISH
from knowledge_base.guide import SECTION_KEYS

from .conftest import Console

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "console" / "i18n"
STATIC = ROOT / "console" / "static"
PAGES = ("index.html", "set-password.html")  # the console's pages that speak both languages
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def scripts() -> dict[str, str]:
    """The scripts of the console's pages, in the order the pages load them."""
    found: dict[str, str] = {}
    for page in PAGES:
        html = (STATIC / page).read_text(encoding="utf-8")
        for name in re.findall(r'<script src="/console/static/([a-z0-9-]+\.js)"', html):
            found[name] = (STATIC / name).read_text(encoding="utf-8")
    return found


def used_keys() -> set[str]:
    """Every catalogue key the console's markup and scripts ask for."""
    used: set[str] = set()
    for page in PAGES:
        text = (STATIC / page).read_text(encoding="utf-8")
        used |= set(re.findall(r'data-i18n(?:-label|-placeholder|-title)?="([a-z0-9_.]+)"', text))
    code = scripts()
    for text in code.values():
        # keys are dotted lower-case literals ("ticket.claim"); nothing else in the scripts is
        used |= set(re.findall(r'"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"', text))
    # keys made from a value
    used |= {f"role.{role}" for role in ROLES} | {f"status.{s}" for s in STATUSES}
    used |= {f"language.{lang}" for lang in SUPPORTED}
    used |= {f"kind.{kind}" for kind in get_args(QueueItem.model_fields["kind"].annotation)}
    used |= {f"sender.{s}" for s in ("citizen", "bot", "agent", "system")}
    statuses = ("waiting", "claimed", "closed", "abandoned", "cancelled")  # bot/handoff/queue.py
    used |= {f"ticket_status.{s}" for s in statuses}
    used |= {f"payload.{key}" for key in ENGLISH} | {f"warning.{key}" for key in WARNINGS}
    used |= {f"ins.mark.{m}" for m in get_args(MarkIn.model_fields["status"].annotation)}
    used |= {f"ins.mode.{mode}" for mode in ("normal", "simple")}  # insights/figures.py
    parts = ("title", "alias", "question", "summary", "answer", *SECTION_KEYS)  # documents.py
    used |= {f"section.{part}" for part in parts}
    insights = code["insights.js"]
    used |= {f"ins.day.{d}" for d in re.findall(r'"(mon|tue|wed|thu|fri|sat|sun)"', insights)}
    columns = re.findall(r'col\("([a-z0-9_]+)"\)', insights)
    for listed in re.findall(r"\[([^\[\]]*)\]\.map\(col\)", insights):
        columns += re.findall(r'"([a-z0-9_]+)"', listed)
    outcomes = re.search(r"const keys = \[([^\]]*)\]", insights)
    assert outcomes, "insights.js: the outcome columns moved"
    columns += re.findall(r'"([a-z0-9_]+)"', outcomes.group(1))
    used |= {f"ins.col.{c}" for c in columns}
    return used


def test_english_and_chinese_say_the_same_things() -> None:
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh), sorted(set(en) ^ set(zh))
    for key in en:
        assert en[key].strip() and zh[key].strip(), key
        assert sorted(PLACEHOLDER.findall(en[key])) == sorted(PLACEHOLDER.findall(zh[key])), key
        bare = PLACEHOLDER.sub("", zh[key])
        # Chinese words, or only a format ("#{id}", "{name}（{role}）"): never English words
        assert CJK.search(bare) or not re.search(r"[A-Za-z]", bare) or key == "lang.switch", key


def test_every_key_the_pages_use_is_in_both_catalogues() -> None:
    used = used_keys()
    assert len(used) > 300, "the pages hardly use the catalogue"
    for lang in ("en", "zh"):
        missing = used - set(catalogue(lang))
        assert not missing, (lang, sorted(missing))


def test_the_check_finds_a_missing_key(tmp_path: Path) -> None:
    """The key check reads what the scripts really use: a key only a script names counts."""
    assert "ticket.accepted" in used_keys()  # only ticket.js names it
    assert "ins.col.forms_abandoned" in used_keys()  # only the outcome columns' list
    assert "payload.request_human" in used_keys()  # the server's key for a button press


class _Words(HTMLParser):
    """Text and labelled attributes of a page that are not under a data-i18n* attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.loose: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for attribute, marker in (
            ("aria-label", "data-i18n-label"), ("placeholder", "data-i18n-placeholder"),
            ("title", "data-i18n-title"),
        ):  # fmt: skip
            if named.get(attribute) and marker not in named:
                self.loose.append(f"<{tag} {attribute}={named[attribute]!r}>")
        if tag not in ("meta", "link", "input", "br", "img"):  # void elements: nothing inside
            self.stack.append((tag, named))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not re.search(r"[A-Za-z\u4e00-\u9fff]", data) or not self.stack:
            return
        tag, named = self.stack[-1]
        if tag in ("kbd", "script", "style", "code") or "data-i18n" in named:
            return
        self.loose.append(f"<{tag}> {data.strip()!r}")


@pytest.mark.parametrize("page", PAGES)
def test_no_words_in_the_markup_escape_the_catalogues(page: str) -> None:
    parser = _Words()
    parser.feed((STATIC / page).read_text(encoding="utf-8"))
    assert parser.loose == []


def test_the_server_words_sent_as_keys_match_its_english() -> None:
    en = catalogue("en")
    for key, english in ENGLISH.items():
        assert en[f"payload.{key}"] == english, key
    for key, english in WARNINGS.items():
        assert en[f"warning.{key}"] == english, key


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_catalogues_and_the_set_password_page_are_served(console: Console, lang: str) -> None:
    served = await console.client.get(f"/console/i18n/{lang}.json")
    assert served.status_code == 200 and served.json() == catalogue(lang)
    assert (await console.client.get("/console/i18n/fr.json")).status_code == 422
    page = await console.client.get("/console/set-password")
    assert page.status_code == 200 and "setpw-form" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    # every script the pages load is served
    for name in scripts():
        script = await console.client.get(f"/console/static/{name}")
        assert script.status_code == 200, name
