"""An editor's loop without restarts, on the real stack: a guide edited in the stack's guides
folder, `civic kb reload`, and the next question gets the new text; citizens asking all the
while get answers, none an error. The edit is undone (and reloaded) at the end."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from civic.stack import Stack

from .conftest import Citizen

pytestmark = pytest.mark.integration

TITLE = 'title: "Apply for or renew a passport and travel permits"'
FAILED = ("can't search the guides", "暂时无法查询办事指南")
QUESTIONS = (
    ("How do I get a passport for the first time?", "en"),
    ("How much does a new ID card cost?", "en"),
    ("护照多久能拿到？", "zh"),
    ("借书证怎么办？", "zh"),
)


def _reload(stack: Stack) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "civic.cli", "kb", "reload"],
        env=stack.env(),
        cwd=stack.config.root,
        capture_output=True,
        text=True,
        check=False,
    )
    return done, time.monotonic() - started


def _status(stack: Stack, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"http://127.0.0.1:{stack.config.actions_port}/kb"
    return httpx.get(url, headers=headers, timeout=30)


class Asking:
    """Citizens asking questions in a loop, each a new conversation, until stopped."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.stop = threading.Event()
        self.answers = 0
        self.problems: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self.stop.is_set():
            text, lang = QUESTIONS[n % len(QUESTIONS)]
            n += 1
            citizen = Citizen(self.stack, lang)
            try:
                citizen.say(text)
                texts = citizen.texts()
                if not texts.strip() or any(f in texts for f in FAILED):
                    self.problems.append(f"{text!r}: {texts!r}")
                else:
                    self.answers += 1
            except Exception as exc:  # a status other than 200, a broken connection
                self.problems.append(f"{text!r}: {type(exc).__name__}: {exc}")
            finally:
                citizen.client.close()


def test_reload_switches_to_the_edited_guide_without_failing_a_question(stack: Stack) -> None:
    env = stack.env()
    token = env["CIVIC_SERVICE_TOKEN"]
    assert _status(stack, None).status_code == 401
    assert _status(stack, "not-the-token-0123456789").status_code == 401
    before = _status(stack, token).json()
    assert before["guides"] == {"en": 45, "zh": 45} and not before["reloading"]

    guide = Path(env["CIVIC_GUIDES_DIR"]) / "en" / "passport.md"
    original = guide.read_text("utf-8")
    marker = f"reload test {uuid.uuid4().hex[:8]}"
    assert TITLE in original
    asking = Asking(stack)
    try:
        guide.write_text(original.replace(TITLE, TITLE[:-1] + f' ({marker})"'), "utf-8")
        asking.thread.start()
        while asking.answers + len(asking.problems) < 2:  # the loop is under way
            time.sleep(0.1)
        asked_before = asking.answers
        done, seconds = _reload(stack)
        during = asking.answers - asked_before
        assert done.returncode == 0, done.stdout + done.stderr
        log = stack.processes["actions"].log_path.read_text("utf-8", "replace").splitlines()
        built = [line for line in log if "knowledge base reloaded" in line][-1:]
        print(
            f"\n`civic kb reload` of one edited guide: {seconds:.1f} s ({during} questions "
            f"answered meanwhile); {done.stdout.strip()}; {built}"
        )

        citizen = Citizen(stack, "en")
        citizen.say("How do I get a passport for the first time?")
        assert marker in citizen.texts()
        after = _status(stack, token).json()
        assert after["fingerprint"] != before["fingerprint"] and after["reloads"] >= 1

        asked = asking.answers
        while asking.answers < asked + 2 and not asking.problems:  # and after the switch
            time.sleep(0.1)
    finally:
        asking.stop.set()
        asking.thread.join(120)
        guide.write_text(original, "utf-8")
        undone, _ = _reload(stack)
    assert not asking.problems, asking.problems
    assert asking.answers >= 4
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert _status(stack, token).json()["fingerprint"] == before["fingerprint"]
    citizen = Citizen(stack, "en")
    citizen.say("How do I get a passport for the first time?")
    assert marker not in citizen.texts() and "passport" in citizen.texts().lower()


def test_a_malformed_guide_is_refused_and_the_old_index_keeps_answering(stack: Stack) -> None:
    env = stack.env()
    guide = Path(env["CIVIC_GUIDES_DIR"]) / "zh" / "passport.md"
    original = guide.read_text("utf-8")
    try:
        guide.write_text(original.replace("## 费用\n", "## 价格\n"), "utf-8")
        done, _ = _reload(stack)
    finally:
        guide.write_text(original, "utf-8")
    assert done.returncode == 1
    assert "refused (422)" in done.stdout and "zh/passport.md" in done.stdout
    citizen = Citizen(stack, "zh")
    citizen.say("护照多久能拿到？")
    assert "services.lakeside.example/guides/passport" in citizen.texts()


ONE_LANGUAGE = Path(__file__).parent / "one_language_guides"


@pytest.mark.parametrize(
    ("asked", "lang", "guide", "note"),
    [
        ("我的小帆船想停在湖边码头，要办什么许可？", "zh", "boat-mooring", "只有英文版"),
        ("How do I get an annual pass for the zoo and the botanical garden?", "en",
         "park-pass", "only in Chinese"),
    ],
    ids=["zh-question-en-guide", "en-question-zh-guide"],
)  # fmt: skip
def test_a_guide_in_one_language_answers_a_question_in_the_other(
    stack: Stack, asked: str, lang: str, guide: str, note: str
) -> None:
    """A guide that exists in one language only (an English-only boat mooring guide, a
    Chinese-only park pass guide) answers a citizen who asks in the other, through Rasa and
    the action server (the multilingual models search both languages); the reply says which
    language the guide is in and links its source."""
    guides = Path(stack.env()["CIVIC_GUIDES_DIR"])
    added = [guides / p.relative_to(ONE_LANGUAGE) for p in ONE_LANGUAGE.glob("*/*.md")]
    for path in added:
        path.write_bytes((ONE_LANGUAGE / path.relative_to(guides)).read_bytes())
    try:
        done, _ = _reload(stack)
        assert done.returncode == 0, done.stdout + done.stderr
        citizen = Citizen(stack, lang)
        citizen.say(asked)
        texts = citizen.texts()
        assert f"services.lakeside.example/guides/{guide}" in texts, texts
        assert note in texts, texts
    finally:
        for path in added:
            path.unlink(missing_ok=True)
        undone, _ = _reload(stack)
    assert undone.returncode == 0, undone.stdout + undone.stderr
