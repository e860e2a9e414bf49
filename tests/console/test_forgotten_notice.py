"""A citizen whose conversation retention forgot is told so once, in their language."""

from __future__ import annotations

import json
import uuid

from bot.storage import keys
from tests.console.conftest import Console


async def test_a_returning_citizen_is_told_once(console: Console) -> None:
    conversation = f"back-{uuid.uuid4().hex[:8]}"
    marker = {"lang": "zh", "forgotten": "2026-12-07"}  # what civic/retention.py leaves
    await console.gateway.redis.set(keys.session(f"rest:{conversation}"), json.dumps(marker))
    first = await console.citizen_says(conversation, "继续")
    texts = [m["text"] for m in first["messages"]]
    assert any("之前的对话已经删除" in t for t in texts), texts
    again = await console.citizen_says(conversation, "你好")
    assert not any("之前的对话已经删除" in m["text"] for m in again["messages"])
