"""The one lookup of the text catalogues: what the gateway says itself (bot/texts.py and its
delivery and handoff parts), what the action server says (actions/texts.py, the forms'
actions/forms/texts.py).

A catalogue maps a key to one template per language; each is checked when its module loads
(every supported language present), so a missing translation fails at start, not in front of
a citizen. A lookup in a language the catalogue lacks falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping

from common.errors import ConfigError

LANGUAGES = ("en", "zh")


class Catalogue:
    def __init__(self, name: str, texts: Mapping[str, Mapping[str, str]]) -> None:
        missing = [
            f"{key}.{lang}" for key, v in texts.items() for lang in LANGUAGES if not v.get(lang)
        ]
        if missing:
            raise ConfigError(f"text catalogue {name}: no text for {', '.join(missing)}")
        self.name = name
        self.texts = texts

    def __call__(self, key: str, lang: str, **values: object) -> str:
        """The text `key` in `lang` (English when the language is not supported), its
        {placeholders} filled from `values`."""
        variants = self.texts[key]
        return (variants.get(lang) or variants["en"]).format(**values)

    def __contains__(self, key: str) -> bool:
        return key in self.texts
