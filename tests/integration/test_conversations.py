"""The conversation suite (tests/conversations/*.yml, see bench/dialogue.py): every
conversation through the real stack (gateway, Rasa, action server, Redis, SQL), each turn
checked. One shared stack; `make bench-dialogue` reports the same conversations as shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.dialogue import Conversation, Player, load_all
from civic.stack import Stack
from tests.conftest import API_KEY

pytestmark = pytest.mark.integration

CONVERSATIONS = load_all()


@pytest.fixture(scope="module")
def player(stack: Stack) -> Iterator[Player]:
    p = Player(stack.gateway_url, API_KEY, stack.redis_url)
    yield p
    p.close()


def test_the_suite_is_large_and_bilingual() -> None:
    langs = [c.lang for c in CONVERSATIONS]
    assert len(langs) >= 150
    assert min(langs.count("en"), langs.count("zh")) >= 60


@pytest.mark.parametrize(
    "conversation",
    [
        pytest.param(
            c,
            marks=[pytest.mark.xfail(reason=c.known_gap, strict=not c.unstable)]
            if c.known_gap
            else [],
        )
        for c in CONVERSATIONS
    ],
    ids=lambda c: c.name,
)
def test_conversation(player: Player, conversation: Conversation) -> None:
    outcome = player.play(conversation)
    assert outcome.ok, f"{conversation.about}\n" + "\n".join(outcome.failures)
