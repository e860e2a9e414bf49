"""Two gateways and two Rasa servers on one Redis and one database: one citizen's messages
alternate between the gateways and still make one consistent conversation."""

from __future__ import annotations

import concurrent.futures
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from civic.stack import Stack
from tests.conftest import free_port

from .conftest import API_KEY

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def second_pair(stack: Stack) -> Iterator[str]:
    url = stack.add_replica("b", gateway_port=free_port(), rasa_port=free_port())
    stack.start("b-rasa")
    stack.start("b-gateway")
    yield url
    stack.stop("b-gateway")
    stack.stop("b-rasa")


def post(base: str, cid: str, text: str) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/api/v1/conversations/{cid}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_alternating_gateways_make_one_conversation(stack: Stack, second_pair: str) -> None:
    a, b = stack.gateway_url, second_pair
    cid = f"scale-{uuid.uuid4().hex[:10]}"
    replies = [
        post(a, cid, "hello"),
        post(b, cid, "How do I get a library card?"),
        post(a, cid, "说中文"),
        post(b, cid, "谢谢"),
        post(a, cid, "转人工"),
        post(b, cid, "我的图书证丢了"),
    ]
    assert "Lakeside City assistant" in replies[0]["messages"][0]["text"]
    assert "guides/library-card" in replies[1]["messages"][0]["text"]
    assert replies[2]["state"]["lang"] == "zh"
    assert replies[3]["state"]["lang"] == "zh" and "不客气" in replies[3]["messages"][0]["text"]
    assert replies[4]["state"]["mode"] == "waiting_for_agent"
    assert replies[5]["state"]["mode"] == "waiting_for_agent"
    assert [m["text"][:7] for m in replies[5]["messages"]] == ["已转给人工客服"]  # acknowledged
    # the transcript seen through either gateway is the same, with no duplicates
    seen_a = httpx.get(
        f"{a}/api/v1/conversations/{cid}/messages", headers={"Authorization": f"Bearer {API_KEY}"}
    ).json()
    seen_b = httpx.get(
        f"{b}/api/v1/conversations/{cid}/messages", headers={"Authorization": f"Bearer {API_KEY}"}
    ).json()
    assert seen_a == seen_b
    sent = [m["id"] for r in replies for m in r["messages"]]
    assert [m["id"] for m in seen_a["messages"]] == sent
    assert len(set(sent)) == len(sent)


def test_simultaneous_messages_on_both_gateways_are_serialised(
    stack: Stack, second_pair: str
) -> None:
    cid = f"scale-{uuid.uuid4().hex[:10]}"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [
            pool.submit(post, base, cid, text)
            for base, text in [
                (stack.gateway_url, "hello"),
                (second_pair, "thanks"),
                (stack.gateway_url, "What can you do?"),
                (second_pair, "bye"),
            ]
        ]
        results = [f.result() for f in futures]
    assert all(len(r["messages"]) == 1 for r in results)
    history = httpx.get(
        f"{stack.gateway_url}/api/v1/conversations/{cid}/messages",
        headers={"Authorization": f"Bearer {API_KEY}"},
    ).json()["messages"]
    assert len(history) == 4  # four turns, four replies, none lost or doubled
