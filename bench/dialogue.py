"""The conversation suite: realistic multi-turn conversations kept as data
(tests/conversations/*.yml, one file per conversation), played through the real stack's REST
API, each turn checked against what must hold after it.

A conversation file:

    lang: zh                  # the citizen's language (reports are per language)
    about: a follow-up question after a guide   # one line: what it tries
    known_gap: "#17: ..."     # optional: fails today for a reason owned elsewhere (the test
                              # expects the failure, strictly: it must be removed once fixed)
    unstable: true            # with known_gap: fails on some stacks and not others (the test
                              # expects nothing; the benchmark still counts it)
    turns:
      - say: 护照怎么办
        guide: passport       # a guide answered (its title in a reply); 'none': no guide
      - say: 要多少钱
        guide: passport
        says: ["120"]         # each must be in the replies (case-insensitive)
      - say: 我要预约
        form: book_appointment   # the active form after the turn ('none': no form)
        step: service            # the field asked for next ('summary' for the summary)
      - say: 护照
        slots: {service: passport}   # form answers (by field name; null: not answered)
      - press: /request_human      # a button press: {"text": null, "payload": ...}
        mode: waiting_for_agent    # bot | waiting_for_agent | with_agent
        simple_mode: false
        queue_position: 1
        says_not: ["Goodbye"]      # none may be in the replies

Used by tests/integration/test_conversations.py (make test) and bench/dialogue_bench.py
(make bench-dialogue: the share of conversations that end as they should, per language).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import redis
import yaml

from actions.forms.clock import today

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "tests" / "conversations"
GUIDES = ROOT / "knowledge_base" / "guides"
_TURN_KEYS = frozenset(
    {
        "say",
        "press",
        "click",
        "metadata",
        "guide",
        "says",
        "says_not",
        "form",
        "step",
        "slots",
        "mode",
        "simple_mode",
        "queue_position",
        "buttons",
    }
)


_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_DATE = re.compile(r"\{([+-]\d+)(!)?(?::(dmy|zh|en))?\}")


def dated(value: Any, day: date) -> Any:
    """Relative dates in a conversation ('{+3:dmy}'), so that it holds on any day."""
    if isinstance(value, str):

        def one(m: re.Match[str]) -> str:
            d = day + timedelta(days=int(m.group(1)))
            if m.group(2) and d.weekday() == 6:  # '{+1!}': a day the offices are open
                d += timedelta(days=1)
            style = m.group(3)
            if style == "dmy":
                return f"{d.day:02d}/{d.month:02d}/{d.year}"
            if style == "zh":
                return f"{d.year}年{d.month}月{d.day}日"
            if style == "en":
                return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
            return d.isoformat()

        return _DATE.sub(one, value)
    if isinstance(value, list):
        return [dated(v, day) for v in value]
    if isinstance(value, dict):
        return {k: dated(v, day) for k, v in value.items()}
    return value


class ConversationError(ValueError):
    """A conversation file is malformed; the message names the file and the turn."""


@dataclass(frozen=True)
class Conversation:
    name: str
    lang: str
    about: str
    turns: tuple[Mapping[str, Any], ...]
    send_lang: str | None = None  # the REST 'lang' sent with every message (None: detected)
    known_gap: str | None = None
    unstable: bool = False


@dataclass
class Outcome:
    name: str
    lang: str
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def load(path: Path) -> Conversation:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(data, dict) or data.get("lang") not in ("en", "zh"):
        raise ConversationError(f"{where}: needs lang: en | zh")
    turns = data.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ConversationError(f"{where}: needs a list of turns")
    for i, turn in enumerate(turns, 1):
        if not isinstance(turn, dict):
            raise ConversationError(f"{where} turn {i}: must be a mapping")
        unknown = set(turn) - _TURN_KEYS
        if unknown:
            raise ConversationError(f"{where} turn {i}: unknown keys {sorted(unknown)}")
        if sum(k in turn for k in ("say", "press", "click")) != 1:
            raise ConversationError(f"{where} turn {i}: exactly one of say / press / click")
    return Conversation(
        name=path.stem,
        lang=data["lang"],
        about=str(data.get("about") or ""),
        turns=tuple(turns),
        send_lang=data.get("send_lang"),
        known_gap=str(data["known_gap"]) if data.get("known_gap") else None,
        unstable=bool(data.get("unstable", False)),
    )


def load_all(directory: Path = CONVERSATIONS) -> list[Conversation]:
    return [load(p) for p in sorted(directory.glob("*.yml"))]


def guide_titles(directory: Path = GUIDES) -> dict[str, set[str]]:
    """Guide id -> its titles in every language (a guide answer starts with its title)."""
    titles: dict[str, set[str]] = {}
    for path in directory.glob("*/*.md"):
        text = path.read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("---", 2)[1])
        titles.setdefault(str(front["id"]), set()).add(str(front["title"]))
    return titles


@dataclass
class Tracker:
    """What Rasa holds for a conversation: the active form, the question asked, the slots."""

    active_form: str | None
    requested: str | None
    slots: dict[str, Any]


def read_tracker(client: redis.Redis, sender_id: str) -> Tracker:
    raw = client.get("rasa:tracker:" + sender_id)
    slots: dict[str, Any] = {}
    active: str | None = None
    if raw:
        for event in json.loads(raw).get("events") or []:
            kind = event.get("event")
            if kind == "slot":
                slots[str(event.get("name"))] = event.get("value")
            elif kind == "active_loop":
                active = event.get("name") or None
            elif kind == "restart":
                slots, active = {}, None
    requested = slots.get("requested_slot") if active else None
    return Tracker(active, str(requested) if requested else None, slots)


class Player:
    """Plays conversations against a running gateway (its URL and API key) and its Redis."""

    def __init__(self, gateway_url: str, api_key: str, redis_url: str) -> None:
        self.http = httpx.Client(
            base_url=gateway_url, timeout=120, headers={"Authorization": f"Bearer {api_key}"}
        )
        self.redis = redis.Redis.from_url(redis_url)
        self.titles = guide_titles()

    def close(self) -> None:
        self.http.close()
        self.redis.close()

    def play(self, conversation: Conversation) -> Outcome:
        outcome = Outcome(conversation.name, conversation.lang)
        conversation_id = f"conv-{uuid.uuid4().hex[:12]}"
        last: dict[str, Any] = {"messages": []}
        day = today()
        for number, raw in enumerate(conversation.turns, 1):
            turn = dated(dict(raw), day)
            body: dict[str, Any] = {"lang": conversation.send_lang}
            if "say" in turn:
                body["text"] = str(turn["say"])
            elif "press" in turn:
                body.update(text=None, payload=str(turn["press"]))
            else:
                button = _button(last, str(turn["click"]))
                if button is None:
                    outcome.failures.append(f"turn {number}: no button like {turn['click']!r}")
                    return outcome
                body.update(text=button["title"], payload=button["payload"])
            if turn.get("metadata"):
                body["metadata"] = turn["metadata"]
            response = self.http.post(
                f"/api/v1/conversations/{conversation_id}/messages", json=body
            )
            if response.status_code != 200:
                outcome.failures.append(f"turn {number}: HTTP {response.status_code}")
                return outcome
            last = response.json()
            tracker = read_tracker(self.redis, f"rest:{conversation_id}")
            said = turn.get("say", turn.get("press", turn.get("click")))
            for problem in self.check(turn, last, tracker):
                outcome.failures.append(f"turn {number} ({said!r}): {problem}")
        return outcome

    def check(self, turn: Mapping[str, Any], reply: dict[str, Any], tracker: Tracker) -> list[str]:
        problems: list[str] = []
        texts = [str(m.get("text") or "") for m in reply.get("messages") or []]
        joined = "\n".join(texts)
        short = joined.replace("\n", " / ")[:300]
        plain = joined.casefold()
        if "guide" in turn:
            answered = self.guides_in(texts)
            wanted = turn["guide"]
            if wanted == "none" and answered:
                problems.append(f"answered from {sorted(answered)}, expected no guide: {short}")
            elif wanted != "none" and wanted not in answered:
                problems.append(
                    f"expected guide {wanted}, got {sorted(answered) or 'none'}: {short}"
                )
        for needle in turn.get("says") or ():
            options = needle if isinstance(needle, list) else [needle]
            if not any(str(o).casefold() in plain for o in options):
                problems.append(f"expected {needle!r} in: {short}")
        for needle in turn.get("says_not") or ():
            if str(needle).casefold() in plain:
                problems.append(f"{needle!r} should not be in: {short}")
        state = reply.get("state") or {}
        for key in ("mode", "simple_mode", "queue_position"):
            if key in turn and state.get(key) != turn[key]:
                problems.append(f"{key} {state.get(key)!r}, expected {turn[key]!r}")
        form = turn.get("form")
        if form is not None:
            active = tracker.active_form or "none"
            if active != form:
                problems.append(f"active form {active}, expected {form}")
        step = turn.get("step")
        if step is not None:
            problems += _check_step(step, tracker)
        for name, value in (turn.get("slots") or {}).items():
            problems += _check_slot(name, value, tracker)
        if "buttons" in turn:
            titles = [
                b["title"] for m in reply.get("messages") or [] for b in m.get("buttons") or []
            ]
            for needle in turn["buttons"]:
                if not any(str(needle).casefold() in t.casefold() for t in titles):
                    problems.append(f"no button like {needle!r} in {titles}")
        return problems

    def guides_in(self, texts: list[str]) -> set[str]:
        """The guides whose title starts one of the replies."""
        found = set()
        for text in texts:
            first = text.strip().splitlines()[0].strip() if text.strip() else ""
            for guide_id, titles in self.titles.items():
                if first in titles:
                    found.add(guide_id)
        return found


def _button(reply: dict[str, Any], title_part: str) -> dict[str, Any] | None:
    for message in reply.get("messages") or []:
        for button in message.get("buttons") or []:
            if title_part.casefold() in str(button["title"]).casefold():
                return dict(button)
    return None


def _check_step(step: str, tracker: Tracker) -> list[str]:
    requested = tracker.requested
    if step == "summary":
        return [] if requested == "form_confirm" else [f"asking {requested}, expected the summary"]
    form = tracker.active_form or ""
    if requested not in (f"{form}_{step}", step):
        return [f"asking {requested}, expected {step}"]
    return []


def _check_slot(name: str, value: Any, tracker: Tracker) -> list[str]:
    """`name`: a field of the active form, or a whole slot name (form_field)."""
    slot = f"{tracker.active_form}_{name}" if tracker.active_form else name
    actual = tracker.slots.get(slot if slot in tracker.slots else name)
    if isinstance(value, str) and value.startswith("~"):  # a pattern
        if actual is None or not re.search(value[1:], str(actual)):
            return [f"{name} = {actual!r}, expected to match {value[1:]!r}"]
        return []
    if actual != value:
        return [f"{name} = {actual!r}, expected {value!r}"]
    return []


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    """The share of conversations that end as they should, per language and overall."""
    out: dict[str, Any] = {}
    for lang in ("en", "zh", "all"):
        chosen = [o for o in outcomes if lang in ("all", o.lang)]
        passed = sum(o.ok for o in chosen)
        out[lang] = {
            "conversations": len(chosen),
            "passed": passed,
            "share": round(passed / len(chosen), 3) if chosen else None,
        }
    out["failed"] = {o.name: o.failures for o in outcomes if not o.ok}
    return out
