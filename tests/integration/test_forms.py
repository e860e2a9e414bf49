"""Every form, in English and Chinese, through the real stack (gateway, Rasa, action server,
Redis, SQL): pre-filled answers, an invalid answer then a valid one, a question in between,
a change at the summary, cancel, pause and resume, Rasa and the gateway restarted mid-form,
the gateway's cases API down at submission, and the case status afterwards.

The ten conversations run side by side so that one restart interrupts all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import httpx
import pytest

from actions.forms.clock import today
from actions.validators.id_number import check_character
from civic.processes import http_ok
from civic.stack import Stack
from tests.conftest import free_port

from .conftest import Citizen

pytestmark = pytest.mark.integration

REFERENCE = re.compile(r"RC-\d{4}-\d{6}")
ELDER_ID = "11010519440312001" + check_character("11010519440312001")  # born 1944-03-12
PARENT_ID = "33010619900101002" + check_character("33010619900101002")
BAD_ID = ELDER_ID[:17] + ("0" if ELDER_ID[-1] != "0" else "1")


def open_day(offset: int = 1) -> str:
    """A day within the booking window on which service centres are open (not a Sunday)."""
    day = today() + timedelta(days=offset)
    return (day + timedelta(days=1) if day.weekday() == 6 else day).isoformat()


class FormCitizen(Citizen):
    def send(self, text: str, metadata: dict[str, Any] | None = None) -> str:
        response = self.client.post(
            self.url, json={"text": text, "lang": self.lang, "metadata": metadata or {}}
        )
        assert response.status_code == 200, response.text
        self.last = response.json()
        return self.texts()


Check = Callable[[str], bool]


@dataclass
class Step:
    text: str
    expect: tuple[str, ...] = ()  # every one must be in the replies
    refuse: tuple[str, ...] = ()  # none may be
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class Conversation:
    name: str
    lang: str
    before: list[Step]  # before Rasa and the gateway restart
    after: list[Step]
    citizen: FormCitizen | None = None
    transcript: list[str] = field(default_factory=list)

    def play(self, stack: Stack, steps: list[Step]) -> None:
        if self.citizen is None:
            self.citizen = FormCitizen(stack, self.lang)
        for step in steps:
            reply = self.citizen.send(step.text, step.metadata)
            self.transcript.append(f"> {step.text}\n{reply}")
            for expected in step.expect:
                assert expected in reply or (expected == "RC-" and REFERENCE.search(reply)), (
                    f"{self.name}: {expected!r} not in reply to {step.text!r}:\n"
                    + "\n".join(self.transcript)
                )
            for refused in step.refuse:
                assert refused not in reply, f"{self.name}: {refused!r} in {reply!r}"

    def reference(self) -> str:
        for line in reversed(self.transcript):
            if match := REFERENCE.search(line):
                return match.group(0)
        raise AssertionError(f"{self.name}: no reference in\n" + "\n".join(self.transcript))


def conversations() -> list[Conversation]:
    tomorrow_open = open_day(1)
    is_tomorrow = tomorrow_open == (today() + timedelta(days=1)).isoformat()
    tomorrow_zh = "明天" if is_tomorrow else tomorrow_open
    return [
        Conversation(
            "report en",
            "en",
            before=[
                Step("I want to report a broken streetlight", ("Step 2 of 5", "Where is it")),
                Step("📍", ("Step 3 of 5",), metadata={"location": {"lat": 30.25, "lon": 120.17}}),
                Step("dark", ("too short", "Step 3 of 5")),
            ],
            after=[
                Step("The lamp outside number 12 has been off for a week", ("Step 4 of 5",)),
                Step("How long does it take to fix a streetlight?", ("Step 4 of 5", "Source")),
                Step("skip", ("Step 5 of 5",)),
                Step("13812345678", ("Please check", "Broken streetlight", "shared location")),
                Step("change my phone number", ("Step 5 of 5",)),
                Step("0571-88001234", ("057188001234", "confirm")),
                Step("confirm", ("RC-", "status")),
            ],
        ),
        Conversation(
            "report zh",
            "zh",
            before=[
                Step("我家门口的路灯坏了，我要报修", ("第2步，共5步",)),
                Step("湖滨路12号门口", ("第3步，共5步",)),
            ],
            after=[
                Step("路灯一直不亮，晚上很危险", ("第4步，共5步",)),
                Step("这张是照片", ("没有收到照片", "第4步，共5步")),
                Step("[照片]", ("第5步，共5步",), metadata={"photo": {"file_id": "AgADBAAD"}}),
                Step("取消", ("已取消",)),
                Step("继续", ("没有未完成的申请",)),
            ],
        ),
        Conversation(
            "booking en",
            "en",
            before=[
                Step(
                    f"I want to book an appointment on {tomorrow_open}, my mobile is 138 1234 5678",
                    ("Step 1 of 5", "Which service"),
                ),
                Step("passport", ("Step 3 of 5", "time slot")),
            ],
            after=[
                Step("25", ("choose a number from 1 to 10", "Step 3 of 5")),
                Step("10:30", ("Step 4 of 5",)),
                Step("Li Lei", ("Please check", "10:30–11:00", "13812345678", tomorrow_open)),
                Step("change the date", ("Step 2 of 5",)),
                Step("2099-01-01", ("too far ahead", "Step 2 of 5")),
                Step(open_day(2), ("Please check", open_day(2))),
                Step("yes", ("RC-",)),
            ],
        ),
        Conversation(
            "booking zh",
            "zh",
            before=[
                Step("我想预约办事", ("第1步，共5步",)),
                Step("3", ("第2步，共5步",)),
                Step("先暂停一下", ("已保存",)),
            ],
            after=[
                Step("继续填写", ("接着填写", "第2步，共5步")),
                Step(tomorrow_zh, ("第3步，共5步",)),
                Step("下午2点半", ("第4步，共5步",)),
                Step("李雷", ("第5步，共5步",)),
                Step("1381234567", ("11位", "第5步，共5步")),
                Step("13812345678", ("请核对", "居住证", "下午 14:30–15:00")),
                Step("确认", ("RC-", "查询")),
            ],
        ),
        Conversation(
            "allowance en",
            "en",
            before=[
                Step("I want to apply for the old age allowance", ("Step 1 of 6",)),
                Step("Zhang Guiying", ("Step 2 of 6",)),
                Step(BAD_ID, ("check digit", "Step 2 of 6")),
            ],
            after=[
                Step(ELDER_ID, ("Step 4 of 6",)),  # the date of birth comes from the ID
                Step("change date of birth", ("Step 3 of 6",)),
                Step("1944-03-13", ("doesn't match", "Step 3 of 6")),
                Step("12 March 1944", ("Step 4 of 6",)),
                Step("Room 301, 8 Willow Lane, Lakeside", ("Step 5 of 6",)),
                Step("6222 0212 3456 7890 123", ("Step 6 of 6",)),
                Step("13812345678", ("Please check", "1944-03-12")),
                Step("confirm", ("RC-",)),
            ],
        ),
        Conversation(
            "allowance zh",
            "zh",
            before=[
                Step(f"我要给奶奶申请高龄津贴，身份证号{ELDER_ID}", ("第1步，共6步",)),
                Step("张桂英", ("第4步，共6步",)),  # the date of birth comes from the ID
            ],
            after=[
                Step("湖滨市柳巷8号301室", ("第5步，共6步",)),
                Step("6222021234567890123", ("第6步，共6步",)),
                Step("13812345678", ("请核对",)),
                Step("修改电话", ("第6步，共6步",)),
                Step("13900001111", ("13900001111", "请核对")),
                Step("确认", ("RC-",)),
            ],
        ),
        Conversation(
            "permit en",
            "en",
            before=[
                Step("I need to renew my residence permit", ("Step 1 of 7",)),
                Step("Maria Lopez", ("Step 2 of 7",)),
                Step(PARENT_ID, ("Step 3 of 7",)),
            ],
            after=[
                Step("30 February", ("does not exist", "Step 3 of 7")),
                Step((today() + timedelta(days=10)).isoformat(), ("Step 4 of 7",)),
                Step("12 Lake Road, Apt 5", ("Step 5 of 7",)),
                Step("3100", ("6 digits", "Step 5 of 7")),
                Step("310000", ("Step 6 of 7",)),
                Step("maria at example", ("email address", "Step 6 of 7")),
                Step("maria@example.com", ("Step 7 of 7",)),
                Step("13812345678", ("Please check", "maria@example.com")),
                Step("cancel", ("cancelled",)),
            ],
        ),
        Conversation(
            "permit zh",
            "zh",
            before=[
                Step("我的居住证快到期了，要续签", ("第1步，共7步",)),
                Step("陈静", ("第2步，共7步",)),
            ],
            after=[
                Step(PARENT_ID, ("第3步，共7步",)),
                Step((today() + timedelta(days=5)).isoformat(), ("第4步，共7步",)),
                Step("湖滨市湖滨路12号", ("第5步，共7步",)),
                Step("310000", ("第6步，共7步",)),
                Step("chen.jing@example.com", ("第7步，共7步",)),
                Step("13812345678", ("请核对",)),
                Step("是的", ("RC-",)),
            ],
        ),
        Conversation(
            "birth en",
            "en",
            before=[
                Step("I want to register my baby's birth", ("Step 1 of 7",)),
                Step("Wang Xiaobao", ("Step 2 of 7",)),
            ],
            after=[
                Step("girl", ("Step 3 of 7",)),
                Step("yesterday", ("Step 4 of 7",)),
                Step(PARENT_ID, ("Step 5 of 7",)),
                Step("maybe", ("yes or no", "Step 5 of 7")),
                Step("yes", ("Step 6 of 7",)),
                Step("2", ("Step 7 of 8",)),  # by post: the address is asked
                Step("Flat 5, 12 Lake Road, Lakeside", ("Step 8 of 8",)),
                Step("13812345678", ("Please check", "Girl", "Send by post", "12 Lake Road")),
                Step("no", ("Which answer",)),
                Step("sex", ("Step 2 of 8",)),
                Step("boy", ("Please check", "Boy")),
                Step("confirm", ("RC-",)),
            ],
        ),
        Conversation(
            "birth zh",
            "zh",
            before=[
                Step("给宝宝上户口", ("第1步，共7步",)),
                Step("王小宝", ("第2步，共7步",)),
                Step("男孩", ("第3步，共7步",)),
            ],
            after=[
                Step("下个月", ("没能识别", "第3步，共7步")),
                Step("昨天", ("第4步，共7步",)),
                Step("新生儿落户需要带什么材料？", ("第4步，共7步", "来源")),
                Step(PARENT_ID, ("第5步，共7步",)),
                Step("是", ("第6步，共7步",)),
                Step("派出所领取", ("第7步，共7步",)),
                Step("13812345678", ("请核对", "到派出所领取")),
                Step("确认", ("RC-",)),
            ],
        ),
    ]


def test_every_form_in_both_languages_survives_a_restart(stack: Stack) -> None:
    talks = conversations()
    for talk in talks:
        talk.play(stack, talk.before)
    for name in ("gateway", "rasa"):
        stack.stop(name)
    stack.start("rasa")
    stack.start("gateway")
    for talk in talks:
        talk.play(stack, talk.after)
    # the citizen can look their case up in both languages, and nobody else can
    report = next(t for t in talks if t.name == "report en")
    assert report.citizen is not None
    reference = report.reference()
    assert "received" in report.citizen.send(f"status {reference}")
    allowance = next(t for t in talks if t.name == "allowance zh")
    assert allowance.citizen is not None
    assert "没有找到" in allowance.citizen.send(f"查询 {reference}")
    assert "已受理" in allowance.citizen.send(f"查询 {allowance.reference()}")


def test_submission_when_the_cases_api_is_down_keeps_the_answers(stack: Stack) -> None:
    """The citizen talks to a second gateway replica while the one the action server posts
    cases to is down: the answers stay, and 'confirm' submits once it is back."""
    first = stack.processes["gateway"]
    port = free_port()
    argv = list(first.argv)
    at = argv.index("--port") + 1
    assert argv[at] == str(stack.config.gateway_port)
    argv[at] = str(port)
    second = replace(
        first,
        name="second gateway",
        argv=argv,
        log_path=first.log_path.with_name("gateway-2.log"),
        healthy=lambda: http_ok(f"http://127.0.0.1:{port}/healthz"),
    )
    second.start()
    try:
        second.wait_healthy(60)
        citizen = FormCitizen(stack, "en")
        citizen.client.base_url = httpx.URL(f"http://127.0.0.1:{port}")
        citizen.send("report a pothole")
        citizen.send("Corner of Lake Road and Elm Street")
        citizen.send("A deep pothole in the cycle lane, cyclists swerve into traffic")
        citizen.send("skip")
        assert "Please check" in citizen.send("13812345678")
        stack.stop("gateway")
        try:
            reply = citizen.send("confirm")
            assert "couldn't send" in reply and "answers are kept" in reply
            assert "Please check" in reply and "cycle lane" in reply  # back at the summary
        finally:
            stack.start("gateway")
        assert REFERENCE.search(citizen.send("confirm"))
    finally:
        second.stop()


def test_a_guide_links_its_form(stack: Stack) -> None:
    citizen = FormCitizen(stack, "en")
    citizen.send("How do I apply for the old-age allowance?")
    citizen.click("Start")
    assert "Step 1 of 6" in citizen.texts()
