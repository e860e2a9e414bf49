"""The console's catalogues: English and Chinese say the same things (same keys, same
placeholders, nothing empty), every key the pages use exists, and both are served."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.agents.availability import STATUSES
from bot.agents.roles import ROLES

from .conftest import Console

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "console" / "i18n"
STATIC = ROOT / "console" / "static"


def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def test_english_and_chinese_say_the_same_things() -> None:
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh), set(en) ^ set(zh)
    for key in en:
        assert en[key].strip() and zh[key].strip(), key
        placeholders = re.compile(r"\{[a-z_]+\}")
        assert sorted(placeholders.findall(en[key])) == sorted(placeholders.findall(zh[key])), key
        assert re.search(r"[\u4e00-\u9fff]", zh[key]) or key == "lang.switch", key


def test_every_key_the_pages_use_is_in_the_catalogue() -> None:
    en = catalogue("en")
    used: set[str] = set()
    for page in [*STATIC.glob("*.html"), *STATIC.glob("*.js")]:
        text = page.read_text(encoding="utf-8")
        used |= set(re.findall(r'data-i18n(?:-label|-placeholder|-title)?="([a-z0-9_.]+)"', text))
        used |= set(re.findall(r'\bt\("([a-z0-9_.]+)"[,)]', text))
        used |= set(re.findall(r'showError\("([a-z0-9_.]+)"', text))
    # keys made from a value: every role and every availability
    used |= {f"role.{role}" for role in ROLES} | {f"status.{s}" for s in STATUSES}
    assert used, "no page uses the catalogue"
    assert used <= set(en), sorted(used - set(en))


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_catalogues_and_the_set_password_page_are_served(console: Console, lang: str) -> None:
    served = await console.client.get(f"/console/i18n/{lang}.json")
    assert served.status_code == 200 and served.json() == catalogue(lang)
    assert (await console.client.get("/console/i18n/fr.json")).status_code == 422
    page = await console.client.get("/console/set-password")
    assert page.status_code == 200 and "setpw-form" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
