"""common/: one error hierarchy for every package, one lookup for every text catalogue."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from common.errors import (
    Busy,
    CivicError,
    ConfigError,
    Conflict,
    InvalidInput,
    NotFound,
    StoreUnavailable,
    Unavailable,
)
from common.texts import Catalogue
from tests.conftest import ROOT

PACKAGES = ("common", "bot", "api", "channels", "console", "civic", "actions", "knowledge_base")
KINDS = (ConfigError, Unavailable, InvalidInput, NotFound, Conflict)


def _our_exceptions() -> list[type[BaseException]]:
    found = []
    for package in PACKAGES:
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            if ".migrations" in info.name or ".dev" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseException) and cls.__module__ == info.name:
                    found.append(cls)
    return found


def test_every_error_we_raise_is_a_civic_error_of_one_kind() -> None:
    ours = _our_exceptions()
    assert len(ours) > 20
    strays = [f"{c.__module__}.{c.__name__}" for c in ours if not issubclass(c, CivicError)]
    assert strays == []
    kindless = [
        f"{c.__module__}.{c.__name__}"
        for c in ours
        if c is not CivicError and c not in KINDS and not issubclass(c, KINDS)
    ]
    # the few that are their own kind: a refused login, the launcher's failed step, ...
    assert set(kindless) <= {
        "bot.agents.account_rules.AccountError",
        "bot.agents.console_sessions.LoginFailed",
        "bot.agents.console_sessions.LoginThrottled",
        "bot.conversation.ratelimit.RateLimited",
        "civic.progress.StepFailed",
        "knowledge_base.errors.KnowledgeBaseError",
        "knowledge_base.errors.GuideError",
        "knowledge_base.errors.IndexMismatch",
        "knowledge_base.errors.CalibrationError",
    }, kindless
    names = [c.__name__ for c in ours]
    assert sorted({n for n in names if names.count(n) > 1}) == []  # e.g. one ConfigError


def test_the_kinds() -> None:
    assert issubclass(StoreUnavailable, Unavailable) and issubclass(Busy, Conflict)
    assert not issubclass(Busy, Unavailable)  # a lock wait is not a store that is down


def test_a_catalogue_checks_every_language_and_falls_back_to_english() -> None:
    say = Catalogue("test", {"hi": {"en": "Hello {name}", "zh": "你好{name}"}})
    assert say("hi", "zh", name="李") == "你好李" and say("hi", "fr", name="Jo") == "Hello Jo"
    assert "hi" in say and "bye" not in say
    with pytest.raises(ConfigError, match=r"test: no text for bye\.zh"):
        Catalogue("test", {"bye": {"en": "Bye"}})


def test_the_text_catalogues_use_the_one_lookup() -> None:
    from actions import texts as answers
    from actions.forms import texts as forms
    from bot import texts as gateway
    from bot.cases import texts as cases
    from bot.delivery import texts as delivery
    from bot.handoff import texts as handoff

    lookups = [gateway.text, delivery.text, handoff.say, cases.say, answers.say, forms.say]
    assert all(isinstance(lookup, Catalogue) for lookup in lookups)
    assert len({lookup.name for lookup in lookups}) == 6
